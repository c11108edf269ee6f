import { useI18n } from '../../../lib/i18n/i18n.js';
import type { CrossLink } from '../../../types/progress-api.js';
import { plainText } from '../../../lib/rich-text.js';

/** An item's associations with items of other frameworks, each opening that item on its own framework's map. */
export function CrossLinks({ itemId, links }: { itemId: string; links: readonly CrossLink[] }) {
  const { t } = useI18n();
  const mine = links.filter((l) => l.item === itemId);
  if (!mine.length) return null;
  const kind = (l: CrossLink) => (l.type === 'isRelatedTo' ? t('map.edge.isRelatedTo') : l.source === l.item ? t('map.crossLinks.after') : t('map.crossLinks.before'));
  return (
    <section className="cross-links">
      <h3>{t('map.crossLinks')}</h3>
      <ul>
        {mine.map((l) => (
          <li key={l.id}>
            {kind(l)}:{' '}
            <a href={`/map?framework=${encodeURIComponent(l.other.framework.identifier)}&item=${encodeURIComponent(l.other.id)}`}>
              {l.other.code ? `${l.other.code} ` : ''}
              {plainText(l.other.fullStatement)}
            </a>{' '}
            <span className="cross-link-framework">{l.other.framework.title}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
