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
    urlHint: "For example hub.benecomune.it:7878, as the coordinators give it.",
    urlEmpty: "Type the hub's address.",
    urlScheme: "Write the address as the coordinators give it, for example hub.benecomune.it:7878.",
    urlInsecure: "Without wss:// the connection is not protected: that is only for a hub on this computer. Use wss://.",
    code: "Pairing code",
    codeHint: "Type it as the coordinators read it to you.",
    codeEmpty: "Type the pairing code.",
    codeLength: "The code has 15 characters in three groups of five: type them all.",
    deviceName: "This computer's name",
    deviceNameHint: "So the coordinators recognise it in the list of connected computers.",
    deviceNameDefault: "Lab laptop",
    deviceNameEmpty: "Type a name for this computer.",
    submit: "Connect and create the register",
    pairing: "Connecting to the hub and syncing for the first time…",
  },
};
