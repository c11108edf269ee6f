import { useI18n } from '../../../lib/i18n/i18n.js';
import { api, paths } from '../../../config/paths.js';
import { credentialUuid, type PassportCredential } from '../api/badges.js';
import './badges.css';

/** Downloads by kind (docs/badges.md): OB 3.0 with an embedded proof, the same as a VC-JWT, OB 2.0 for older backpacks. */
const FORMATS = [
  { group: 'ob3', formats: [['json', 'JSON'], ['png', 'PNG'], ['svg', 'SVG']] },
  { group: 'jwt', formats: [['jwt', 'JWT'], ['png-jwt', 'PNG'], ['svg-jwt', 'SVG']] },
  { group: 'ob2', formats: [['ob2', 'JSON'], ['ob2-png', 'PNG']] },
] as const;

function status(c: PassportCredential, now: number): 'revoked' | 'expired' | 'valid' {
  if (c.revoked) return 'revoked';
  return c.expired || (c.validUntil !== null && Date.parse(c.validUntil) < now) ? 'expired' : 'valid';
}

/** The CFItem a badge is aligned to (its alignment's targetCode). */
export const badgeItem = (c: PassportCredential) => c.credential.credentialSubject?.achievement?.alignment?.find((a) => a.targetCode)?.targetCode;

function BadgeCard({ c, selected, onShowOnMap }: { c: PassportCredential; selected: boolean; onShowOnMap: ((itemId: string) => void) | undefined }) {
  const { t, formatDate } = useI18n();
  const a = c.credential.credentialSubject?.achievement ?? {};
  const align = a.alignment?.[0];
  const uuid = credentialUuid(c.id);
  const s = status(c, Date.now());
  const name = a.name ?? c.credential.name ?? uuid;
  const item = badgeItem(c);
  return (
    <li className={selected ? 'card badge-card selected' : 'card badge-card'} data-status={s} aria-current={selected || undefined}>
      <h2>{name}</h2>
      <p>
        <span className={`badge-status ${s}`}>{t(`badges.status.${s}`)}</span> · {t('badges.issued', { date: formatDate(c.issuedAt) })}
        {c.revoked && c.revokedReason && ` · ${t('badges.revokedReason', { reason: c.revokedReason })}`}
        {c.validUntil && ` · ${t(s === 'expired' ? 'badges.expiredOn' : 'badges.validUntil', { date: formatDate(c.validUntil) })}`}
      </p>
      {(a.humanCode || align) && (
        <p>
          {a.humanCode && <code>{a.humanCode}</code>} {align?.targetName}
          {align?.targetCode && (
            <>
              {' '}
              <a href={paths.uri(align.targetCode)}>{t('badges.courseOfStudy')}</a>
            </>
          )}
        </p>
      )}
      <p className="badge-links">
        {item && onShowOnMap && (
          <button type="button" className="button small" aria-pressed={selected} onClick={() => onShowOnMap(item)} aria-label={t('badges.showOnMapOf', { name })}>
            {t('badges.showOnMap')}
          </button>
        )}
        <a href={paths.verifyCredential(uuid)} aria-label={t('badges.verifyOf', { name })}>
          {t('badges.verify')}
        </a>
      </p>
      {FORMATS.filter((g) => g.group !== 'ob2' || !c.revoked).map((g) => (
        <p key={g.group} className="badge-links small">
          <span>{t(`badges.formats.${g.group}`)}</span>
          {g.formats.map(([f, label]) => {
            const format = g.group === 'ob3' ? label : f === 'jwt' ? 'VC-JWT' : `${t(`badges.formats.${g.group}`)} ${label}`;
            return (
              <a key={f} className="button secondary small" href={api.badgeDownload(uuid, f)} download aria-label={t('badges.downloadAs', { format, name })}>
                {label}
              </a>
            );
          })}
        </p>
      ))}
    </li>
  );
}

/**
 * A learner's badges, each downloadable and verifiable anywhere; "show on the map" selects the badge's item on the
 * learning map beside the list (the page composes the two).
 */
export function PassportBadges({ credentials, ob2Recipient, selectedItem, onShowOnMap }: { credentials: readonly PassportCredential[]; ob2Recipient?: string | undefined; selectedItem?: string | undefined; onShowOnMap?: (itemId: string) => void }) {
  const { t } = useI18n();
  if (credentials.length === 0) return <p className="muted">{t('badges.none')}</p>;
  return (
    <>
      <p>
        <a className="button secondary" href={api.badgePassportClr} download="clr.json">
          {t('badges.clr')}
        </a>
      </p>
      {ob2Recipient && (
        <p className="small">
          {t('badges.ob2Recipient')} <code className="did">{ob2Recipient}</code>
        </p>
      )}
      <ul className="badge-list">
        {credentials.map((c) => (
          <BadgeCard key={c.id} c={c} selected={!!selectedItem && badgeItem(c) === selectedItem} onShowOnMap={onShowOnMap} />
        ))}
      </ul>
    </>
  );
}
