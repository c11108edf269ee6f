import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../../lib/api-client.js';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { useSession } from '../hooks/use-session.js';

export function SignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useI18n();
  const { signIn } = useSession();
  const id = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn({ username: username.trim(), password });
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'network', String(err)));
      setBusy(false);
    }
  };

  // Wrong credentials and rate limiting have their own words; anything else (server down…) the generic ones.
  const known = error?.status === 401 ? t('auth.invalid') : error?.status === 429 ? t('auth.rateLimited') : undefined;
  return (
    <form className="card sign-in" onSubmit={submit} aria-labelledby={`${id}-h`} noValidate>
      <h1 id={`${id}-h`}>{t('auth.heading')}</h1>
      <label htmlFor={`${id}-u`}>{t('auth.username')}</label>
      <input id={`${id}-u`} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required value={username} onChange={(e) => setUsername(e.target.value)} />
      <label htmlFor={`${id}-p`}>{t('auth.password')}</label>
      <input id={`${id}-p`} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      {known ? (
        <p className="status error" role="alert">{known}</p>
      ) : (
        error && <ErrorMessage error={error} />
      )}
      <button type="submit" className="button primary" disabled={busy || !username || !password}>
        {busy ? t('auth.submitting') : t('auth.submit')}
      </button>
      <p className="muted">{t('auth.publicNote')}</p>
    </form>
  );
}
