import { useI18n } from '../../../lib/i18n/i18n.js';
import type { ResourceLink } from '../../../types/progress-api.js';
import './resources.css';

/**
 * Links to an item's resources (drills, videos…), each opening in a new tab (rel=noopener: the page opened cannot
 * reach back to Shirube's), with its type, provider and language when it differs from the page's.
 */
export function ResourceLinks({ resources, className = 'resource-links' }: { resources: ResourceLink[]; className?: string }) {
  const { t, lang } = useI18n();
  if (!resources.length) return null;
  return (
    <ul className={className}>
      {resources.map((r) => (
        <li key={r.id} data-resource={r.id}>
          <span className={`resource-type ${r.type}`}>{t(`resources.type.${r.type}`)}</span>{' '}
          <a href={r.url} target="_blank" rel="noopener noreferrer" lang={r.language}>
            {r.title}
            <span className="visually-hidden"> {t('resources.newTab')}</span>
          </a>
          {(r.provider || !r.language.startsWith(lang)) && <span className="muted small"> · {[r.provider, r.language.startsWith(lang) ? null : r.language].filter(Boolean).join(' · ')}</span>}
        </li>
      ))}
    </ul>
  );
}
