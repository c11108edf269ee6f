import { useI18n } from '../../../lib/i18n/i18n.js';
import { Link } from '../../../lib/router.js';
import { api, paths } from '../../../config/paths.js';
import { useDocumentTitle } from '../../../lib/use-document-title.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { useSession } from '../../auth/hooks/use-session.js';
import { credentialUuid, usePassport, type PassportCredential } from '../api/badges.js';
import './badges.css';

const FORMATS = ['json', 'png', 'svg'] as const;

function status(c: PassportCredential, now: number): 'revoked' | 'expired' | 'valid' {
  if (c.revoked) return 'revoked';
  const until = c.credential.validUntil;
  return until && Date.parse(until) < now ? 'expired' : 'valid';
}

function BadgeCard({ c }: { c: PassportCredential }) {
  const { t, formatDate } = useI18n();
  const a = c.credential.credentialSubject?.achievement ?? {};
  const align = a.alignment?.[0];
  const uuid = credentialUuid(c.id);
  const s = status(c, Date.now());
  const name = a.name ?? c.credential.name ?? uuid;
  return (
    <li className="card badge-card" data-status={s}>
      <h2>{name}</h2>
      <p>
        <span className={`badge-status ${s}`}>{t(`badges.status.${s}`)}</span> · {t('badges.issued', { date: formatDate(c.issuedAt) })}
        {c.revoked && c.revokedReason && ` · ${c.revokedReason}`}
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
        {FORMATS.map((f) => (
          <a key={f} className="button secondary" href={api.badgeDownload(uuid, f)} download aria-label={t('badges.downloadAs', { format: f.toUpperCase(), name })}>
            {f.toUpperCase()}
          </a>
        ))}
        <a href={paths.verifyCredential(uuid)} aria-label={t('badges.verifyOf', { name })}>
          {t('badges.verify')}
        </a>
      </p>
    </li>
  );
}

/** /passport: the signed-in learner's own badges, each downloadable and verifiable anywhere. */
export function PassportRoute() {
  const { t } = useI18n();
  const { user, loading } = useSession();
  const passport = usePassport(user?.id ?? '');
  useDocumentTitle(t('badges.passport'));
  if (loading) return <Loading />;
  if (!user)
    return (
      <p className="page">
        <Link to={paths.signIn(paths.passport())}>{t('error.unauthorized')}</Link>
      </p>
    );
  return (
    <section className="page passport">
      <h1>{t('badges.passport')}</h1>
      <p className="muted">{t('badges.passportNote')}</p>
      {passport.loading && <Loading />}
      {passport.error && <ErrorMessage error={passport.error} onRetry={passport.reload} />}
      {passport.data &&
        (passport.data.credentials.length === 0 ? (
          <p className="muted">{t('badges.none')}</p>
        ) : (
          <>
            <p>
              <a className="button secondary" href={api.badgePassportClr} download="clr.json">
                {t('badges.clr')}
              </a>{' '}
              <Link to={paths.map()}>{t('nav.map')}</Link>
            </p>
            <ul className="badge-list">
              {passport.data.credentials.map((c) => (
                <BadgeCard key={c.id} c={c} />
              ))}
            </ul>
          </>
        ))}
    </section>
  );
}
