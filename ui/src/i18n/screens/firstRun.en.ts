import type { Catalogue } from "../catalogue";

/** The first start on a computer (English). */
export const firstRun: Catalogue["firstRun"] = {
  title: "Welcome to Taccuino",
  intro: "The lab's register: meetings, families, attendance. It takes two minutes to set up.",
  languageHeading: "Language",
  passphraseHeading: "Choose a passphrase",
  startHeading: "How do you want to start?",
  startDemo: "Try it with demo data",
  startDemoHint: "Made-up families and meetings, to learn without fear of mistakes.",
  startPair: "Connect to the hub",
  startPairHint: "To record real families and meetings, with the coordinators' code.",
  creating: "Preparing the register…",
  pair: {
    heading: "Connecting to the hub",
    explain:
      "The coordinators give you the pairing code: it is short, can be read out over the phone, and works only once.",
    url: "Hub address",
    urlHint: "Starts with wss:// (or ws://).",
    urlEmpty: "Type the hub's address.",
    urlScheme: "The address must start with wss:// or ws://, for example wss://hub.benecomune.it.",
    code: "Pairing code",
    codeHint: "Type it as the coordinators read it to you.",
    codeEmpty: "Type the pairing code.",
    deviceName: "This computer's name",
    deviceNameHint: "So the coordinators recognise it in the list of connected computers.",
    deviceNameDefault: "Lab laptop",
    deviceNameEmpty: "Type a name for this computer.",
    submit: "Connect and create the register",
    pairing: "Connecting to the hub and syncing for the first time…",
  },
};
