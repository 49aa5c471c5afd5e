import type { ComponentChildren } from "preact";
import { Button } from "../components/Button";
import { Dialog } from "../components/Dialog";
import { useI18n } from "../i18n";
import { numberedSections, sectionsFor, shortcutOf } from "./sections";
import { useSession } from "./session";

/** The "?" dialog: every keyboard shortcut (keep in step with `shortcuts.ts`). */
export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { info } = useSession();
  const row = (keys: ComponentChildren, action: string) => (
    <tr>
      <td class="help__keys">{keys}</td>
      <td>{action}</td>
    </tr>
  );
  const alt = t("help.altKey");
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("help.title")}
      footer={
        <Button variant="primary" onClick={onClose}>
          {t("common.close")}
        </Button>
      }
    >
      <p>{t("help.intro")}</p>
      <table class="help">
        <thead>
          <tr>
            <th scope="col">{t("help.keyColumn")}</th>
            <th scope="col">{t("help.actionColumn")}</th>
          </tr>
        </thead>
        <tbody>
          {sectionsFor(info.rights, info.role !== null).map((section) => {
            const key = shortcutOf(section, numberedSections(info.rights, info.role !== null));
            return key === null ? null : (
              <tr key={section.id}>
                <td class="help__keys">
                  <kbd>{alt}</kbd>+<kbd>{key}</kbd>
                </td>
                <td>{t("help.goToSection", { section: t(section.label) })}</td>
              </tr>
            );
          })}
          {row(
            <>
              <kbd>?</kbd> / <kbd>F1</kbd>
            </>,
            t("help.openHelp"),
          )}
          {row(<kbd>N</kbd>, t("meetings.shortcutHelp"))}
          {row(<kbd>{t("help.escKey")}</kbd>, t("help.closeDialog"))}
          {row(<kbd>{t("help.tabKey")}</kbd>, t("help.nextControl"))}
          {row(
            <>
              <kbd>{t("help.tabKey")}</kbd>, <kbd>↵</kbd>
            </>,
            t("help.skipLink"),
          )}
        </tbody>
      </table>
    </Dialog>
  );
}
