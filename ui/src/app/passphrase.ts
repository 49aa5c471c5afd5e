/** Checking a new passphrase before the Rust side does: first run and settings. */
import type { Translate } from "../i18n";

/** What the key file accepts (crdt-sync's `MIN_PASSPHRASE_CHARS`). */
export const MIN_PASSPHRASE_CHARS = 8;

/** Characters as people count them (not UTF-16 units), after NFC as the Rust side counts. */
export function passphraseLength(value: string): number {
  return [...value.normalize("NFC")].length;
}

export interface PassphraseErrors {
  passphrase?: string | undefined;
  confirm?: string | undefined;
}

/** The problems of a new passphrase and its confirmation, in the user's language. */
export function checkNewPassphrase(t: Translate, passphrase: string, confirm: string): PassphraseErrors {
  const errors: PassphraseErrors = {};
  if (passphraseLength(passphrase) < MIN_PASSPHRASE_CHARS) {
    errors.passphrase = t("passphrase.tooShort", { n: MIN_PASSPHRASE_CHARS });
  }
  if (confirm !== passphrase) errors.confirm = t("passphrase.mismatch");
  return errors;
}
