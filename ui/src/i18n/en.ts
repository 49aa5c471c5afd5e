import type { Catalogue } from "./catalogue";
import { settings } from "./screens/settings.en";
import { newFamily } from "./screens/newFamily.en";
import { erasure } from "./screens/erasure.en";
import { restriction } from "./screens/restriction.en";
import { privacy } from "./screens/privacy.en";
import { meetings } from "./screens/meetings.en";
import { unlock } from "./screens/unlock.en";
import { firstRun } from "./screens/firstRun.en";
import { passphrase } from "./screens/passphrase.en";
import { shell } from "./screens/shell.en";
import { families } from "./screens/families.en";
import { people } from "./screens/people.en";
import { operator } from "./screens/operator.en";
import { training } from "./screens/training.en";
import { indicators } from "./screens/indicators.en";
import { exportsTexts } from "./screens/exports.en";
import { sync } from "./screens/sync.en";
import { conflicts } from "./screens/conflicts.en";
import { devices } from "./screens/devices.en";
import { volunteers } from "./screens/volunteers.en";
import { widgets } from "./screens/widgets.en";

/**
 * The English catalogue. Its type is the Italian one's shape: add a key to
 * `it.ts` first, then here (a missing or extra key does not compile).
 */
export const en: Catalogue = {
  app: {
    name: "Taccuino",
    titleWithSection: "{section} · Taccuino",
    skipToContent: "Skip to main content",
    sectionsNav: "Sections",
    labFallback: "Community lab",
    lock: "Lock",
    lockDescription: "Lock the register: reopening it will need the passphrase",
    help: "Help",
    helpDescription: "Keyboard shortcuts (? key)",
    language: "Language",
  },
  languages: {
    it: "Italiano",
    en: "English",
  },
  sections: {
    meetings: "Meetings",
    families: "Families",
    people: "Staff and volunteers",
    training: "Training",
    sync: "Synchronisation",
    indicators: "Indicators",
    exports: "Exports",
    settings: "Settings",
    privacy: "Privacy",
    devices: "Devices",
    conflicts: "Conflicting edits",
    volunteers: "Volunteers' register",
  },
  locked: {
    title: "The register is locked",
    body: "The data is encrypted on this computer. Enter the passphrase to reopen it.",
    unlock: "Unlock",
  },
  help: {
    title: "Keyboard shortcuts",
    intro: "The whole application can be used with the keyboard alone.",
    keyColumn: "Keys",
    actionColumn: "Action",
    goToSection: "Go to “{section}”",
    openHelp: "Open this help",
    closeDialog: "Close the open window",
    nextControl: "Move to the next control (Shift+Tab: to the previous one)",
    skipLink: "From the top of the page, Tab then Enter: skip to the content",
    altKey: "Alt",
    escKey: "Esc",
    tabKey: "Tab",
  },
  common: {
    close: "Close",
    cancel: "Cancel",
    save: "Save",
    saved: "Saved",
    loading: "Loading…",
    search: "Search",
    clearSearch: "Clear the search",
    dismiss: "Dismiss the message",
    required: "required",
    details: "Details",
    notifications: "Notifications",
    loadFailed: "This data could not be loaded.",
    retry: "Try again",
  },
  counts: {
    families: { one: "{n} family", other: "{n} families" },
    meetings: { one: "{n} meeting", other: "{n} meetings" },
    people: { one: "{n} person", other: "{n} people" },
    days: { one: "{n} day", other: "{n} days" },
    results: { one: "{n} result", other: "{n} results" },
  },
  dates: {
    week: "Week {week} of {year}",
  },
  errors: {
    generic: "Something went wrong. Try again; if it happens again, contact the coordinators.",
    locked: "The register is locked: unlock it with the passphrase.",
    noRegister: "There is no register on this computer yet.",
    registerExists: "A register already exists on this computer.",
    wrongPassphrase: "The passphrase is not correct.",
    wrongRecoveryKey: "The recovery key is not correct.",
    weakPassphrase: {
      one: "The passphrase must have at least {n} character.",
      other: "The passphrase must have at least {n} characters.",
    },
    invalid: "Check the field “{field}”.",
    notFoundAny: "What you are looking for is no longer there: it may have been deleted.",
    notFound: {
      household: "This family is no longer there: it may have been deleted or merged with another.",
      lab: "This lab does not exist.",
      meeting: "This meeting is no longer there: it may have been deleted.",
      member: "This family member is no longer there: they may have been deleted.",
      pathway: "This pathway is no longer there: it may have been deleted.",
      person: "This person is no longer listed: they may have been deleted.",
      training: "This training session is no longer there: it may have been deleted.",
      nomenclature_area: "This area of the nomenclature is no longer there: it may have been removed on another computer.",
      activity_type: "This activity type does not exist.",
    },
    merge: "These two families cannot be merged.",
    restricted:
      "Family {code} is restricted (GDPR art. 18): it cannot be changed or marked present until the coordinators lift the restriction.",
    codesExhausted: "This computer has run out of codes: synchronise to get more.",
    newerDatabase: "The register was written by a newer version of Taccuino: update the application.",
    cancelled: "Cancelled.",
    file: "The file could not be read or written.",
    badFile: "The chosen file is damaged or not of the right kind.",
    internal: "An internal error occurred. The detail is in the technical log.",

    notPaired: "This computer is not connected to the hub.",
    offline: "The hub cannot be reached: check the connection and try again later.",
    unauthorized: "The hub does not recognise this computer: ask the coordinators to connect it again.",
    revoked: "The coordinators revoked this computer's access: ask them before syncing.",
    hubBusy: "The hub stopped this sync because it was too slow or too heavy: try again in a minute.",
    forbidden: "Your role does not allow this: ask the coordinators.",
    erased: "Family {code} was erased: only its code is left.",
    stale: "This computer has not synced for more than {days} days: the families' data stay closed until it syncs (Sync → Sync now).",
    notDue: "Family {code} is no longer due (it had activity meanwhile): nothing was erased; look at the list again.",
    volunteerErased: "This volunteer's register entry was erased: it can no longer be read or written.",
    volunteerNotDue: "One of the chosen entries is no longer due (its end date changed): nothing was erased; look at the list again.",
    untrustedHub:
      "The hub presented a certificate other than the one it was paired with: the connection may be intercepted. Do not sync, and tell the coordinators.",
    pairing: {
      unknown: "Unknown pairing code: check it with the coordinators.",
      used: "This pairing code was already used: ask for a new one.",
      expired: "This pairing code has expired: ask for a new one.",
      rate_limited: "Too many attempts with wrong codes: wait a minute and try again.",
      code_incomplete: "The code is incomplete: it has three groups of five characters; type them all.",
      code_mismatch:
        "The code does not match this hub: check its last group of five characters. If it is right, the network may be intercepted: do not pair from here, and tell the coordinators.",
      any: "The hub refused the pairing code.",
    },
    devices: {
      not_allowed: "The hub does not allow this device's role to do that.",
      unknown_lab: "This lab is not in the hub's register: sync and try again.",
      unknown_device: "The hub does not know this device (or it is this computer, which cannot revoke itself).",
      unknown_request: "The request is no longer open: someone else in the coordination office has handled it.",
      invalid: "That role and lab do not go together: a coordinator's device has no lab, the others have one.",
      unavailable: "The hub could not do it now: try again in a few minutes.",
      any: "The hub refused the request.",
    },
    update: {
      malformed: "The update is not in the expected format: nothing was installed.",
      unknown_key: "The update is signed with a key Taccuino does not recognise: nothing was installed. Tell the coordination office.",
      bad_signature: "The update's signature does not match: it was changed after signing. Nothing was installed; tell the coordination office.",
      wrong_product: "The file offered is not a Taccuino update: nothing was installed.",
      not_newer: "The version offered is not newer than this one: Taccuino never goes back.",
      wrong_format: "The update offered is for another kind of installation.",
      too_large: "The downloaded file is longer than the signed one: it was discarded.",
      truncated: "The download was cut off: try again when the connection is steady.",
      digest_mismatch: "The downloaded file is not the signed one (changed or damaged): it was discarded. Tell the coordination office.",
      no_offer: "The hub offers no update to this computer.",
      not_downloaded: "Download the update first.",
      install_failed: "The installation failed or was cancelled: Taccuino stays as it was.",
      any: "The update failed.",
    },
    versionMismatch: "The hub and this computer run different versions of Taccuino: see “Updates” on the Sync page.",
  },
  fields: {
    volunteer: {
      person: "Volunteer",
      codice_fiscale: "Codice fiscale",
      birth_place: "Place of birth",
      birth_date: "Date of birth",
      residence: "Residence or domicile",
      start: "Start of volunteering",
      end: "End of volunteering",
      insurance_from: "Insured from",
      insurance_to: "Insured to",
    },
    organisation: {
      name: "Organisation's name",
    },
    nomenclature: {
      code: "Nomenclature area code",
      name: "Nomenclature area name",
    },
    meeting: {
      date: "Meeting date",
      end: "End time",
      activity: "Activity",
      theme: "Theme",
      notes: "Notes",
      guests: "Guests",
      facilitators: "Facilitators",
    },
    member: {
      first_name: "First name",
      last_name: "Last name",
      birth_year: "Year of birth",
    },
    person: {
      first_name: "First name",
      last_name: "Last name",
      organisation: "Organisation",
    },
    training: {
      title: "Title",
      date: "Date",
      minutes: "Duration (minutes)",
      attendees: "Attendees",
      start: "Start time",
      arrival: "Arrival",
      departure: "Departure",
      attended_minutes: "Minutes attended",
      completion_percent: "Completion threshold",
    },
    lab: {
      name: "Lab name",
      number: "Lab number",
      address: "Address",
    },
    pathway: {
      start: "Pathway start",
      end: "Pathway end",
      operator: "Key worker",
      notes: "Pathway notes",
    },
    consent: {
      date: "Consent date",
    },
    household: {
      consent: {
        basis: "Legal basis",
        date: "Consent date",
        notice_version: "Privacy notice version",
        collected_by: "Collected by",
        guardian: "Parent or guardian",
        scopes: "Consent scopes",
      },
      withdrawal: {
        date: "Date of withdrawal",
        scopes: "Consents withdrawn",
        recorded_by: "Recorded by",
      },
      restriction: "Restriction of processing",
    },
    period: {
      to: "End of period",
      year: "Year",
    },
    hub: {
      url: "Hub address",
    },
    recovery_public: "Public recovery key",
  },
  shell,
  families,
  people,
  operator,
  training,
  indicators,
  exports: exportsTexts,
  sync,
  devices,
  conflicts,
  volunteers,
  widgets,
  passphrase,
  firstRun,
  unlock,
  meetings,
  newFamily,
  erasure,
  restriction,
  privacy,
  settings,
};
