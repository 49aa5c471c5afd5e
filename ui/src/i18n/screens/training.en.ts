import type { Catalogue } from "../catalogue";

/** Training: sessions, attendance and hours against the threshold. */
export const training: Catalogue["training"] = {
  lede: {
    one: "Training hours of staff and volunteers: whoever reaches {n} hour counts as trained.",
    other: "Training hours of staff and volunteers: whoever reaches {n} hours counts as trained.",
  },
  duration: {
    hm: "{h} h {m} min",
    h: "{h} h",
    m: "{m} min",
  },
  people: {
    title: "Hours per person",
    none: "No staff or volunteers listed: add them in “Staff and volunteers”.",
    trainedCount: {
      one: "{n} person out of {total} has reached the threshold.",
      other: "{n} people out of {total} have reached the threshold.",
    },
    name: "Name",
    role: "Role",
    hours: "Training hours",
    trained: "trained",
    progressLabel: "Training hours of {name}",
    progressText: "{done} of {threshold}",
  },
  readOnly: "Only the coordinators keep the training register: here it can be read.",
  sessions: {
    title: "Training sessions",
    none: "No training recorded.",
    date: "Date",
    titleColumn: "Title",
    duration: "Length",
    attendees: "Attendees",
    presence: "Attendance",
    hidePresence: "Close the attendance",
    presenceFor: "Who attended “{title}” on {date}",
  },
  form: {
    title: "Record a training session",
    date: "Date",
    titleField: "Title",
    duration: "Length",
    hours: "Hours",
    minutes: "Minutes",
    attendees: "Who attended",
    dateInvalid: "Enter a valid date.",
    titleRequired: "Enter the title.",
    durationInvalid: "The length goes from 1 minute to 24 hours; minutes from 0 to 59.",
    submit: "Record the session",
    added: "Training session recorded.",
  },
};
