import { useI18n } from "../i18n";
import { useSession } from "./session";
import { useConflictCount } from "../screens/conflicts/count";
import { numberedSections, sectionsFor, shortcutOf, type SectionId } from "./sections";

export interface NavProps {
  current: SectionId;
  onNavigate: (id: SectionId) => void;
}

/**
 * The left navigation: a list of buttons (navigation is state, not URLs);
 * the current one has aria-current="page". Each shows its Alt+n (or
 * Alt+letter) shortcut; the conflicting edits show how many there are.
 */
export function Nav({ current, onNavigate }: NavProps) {
  const { t } = useI18n();
  const { info } = useSession();
  const paired = info.role !== null;
  const shown = sectionsFor(info.rights, paired);
  const numbered = numberedSections(info.rights, paired);
  const conflicts = useConflictCount(
    shown.some((s) => s.id === "conflicts"),
    current,
  );
  return (
    <nav class="nav" aria-label={t("app.sectionsNav")}>
      <ul class="nav__list">
        {shown.map((section) => {
          const key = shortcutOf(section, numbered);
          const count = section.id === "conflicts" ? conflicts : null;
          return (
            <li key={section.id}>
              <button
                type="button"
                class="nav__item"
                data-testid={`nav-${section.id}`}
                aria-current={section.id === current ? "page" : undefined}
                aria-keyshortcuts={key === null ? undefined : `Alt+${key}`}
                onClick={() => onNavigate(section.id)}
              >
                <span class="nav__label">{t(section.label)}</span>
                {count !== null && count > 0 && (
                  <span
                    class="badge nav__count"
                    data-testid="nav-conflicts-count"
                    title={t("conflicts.count", { n: count })}
                    aria-label={t("conflicts.count", { n: count })}
                  >
                    {count}
                  </span>
                )}
                {key !== null && (
                  <kbd class="nav__shortcut" aria-hidden="true">
                    Alt+{key}
                  </kbd>
                )}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
