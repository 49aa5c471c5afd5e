import { useI18n } from "../i18n";
import { useSession } from "./session";
import { sectionsFor, type SectionId } from "./sections";
import { sectionKey } from "./shortcuts";

export interface NavProps {
  current: SectionId;
  onNavigate: (id: SectionId) => void;
}

/**
 * The left navigation: a list of buttons (navigation is state, not URLs);
 * the current one has aria-current="page". Each shows its Alt+n shortcut.
 */
export function Nav({ current, onNavigate }: NavProps) {
  const { t } = useI18n();
  const { info } = useSession();
  return (
    <nav class="nav" aria-label={t("app.sectionsNav")}>
      <ul class="nav__list">
        {sectionsFor(info.rights, info.role !== null).map((section, i) => {
          const key = sectionKey(i);
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
