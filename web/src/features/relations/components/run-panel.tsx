import { useEffect, useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ApiError } from '../../../lib/api-client.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { cancelRun, getRun, runEnded, startRun, useProviders, useRuns, type Estimator, type LlmProvider, type Run } from '../api/relations.js';
import './relations.css';

const POLL_MS = 700;
const active = (r: Run | undefined) => r?.status === 'queued' || r?.status === 'running';
const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));

/**
 * "Run estimation": the estimator (and for an LLM the provider, whether the server has its key, and the model),
 * then the run's progress, polled until it is done (its suggestions then appear in the queue; blocks it skipped are
 * listed with their reasons), failed or cancelled (the server's message says what to do and what was kept). A run
 * already working when the page opens is followed too, and may be cancelled. An LLM writes its rationales in the
 * UI's language.
 */
export function RunPanel({ framework, others = [] }: { framework: string; others?: Array<{ identifier: string; title: string }> }) {
  const { t, lang } = useI18n();
  const id = useId();
  const runs = useRuns(framework);
  const canStart = runs.data?.canStart === true;
  const providers = useProviders(canStart);
  const [estimator, setEstimator] = useState<Estimator>('offline');
  const [provider, setProvider] = useState<LlmProvider>('openai');
  const [model, setModel] = useState('');
  // A cross-subject run: '' is this framework alone.
  const [target, setTarget] = useState('');
  const [run, setRun] = useState<Run | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState(false);

  // Follow a run that was already working when the page opened.
  const working = runs.data?.runs.find(active);
  useEffect(() => {
    if (working && !run) setRun(working);
  }, [working, run]);

  const runId = run?.id;
  const following = active(run);
  useEffect(() => {
    if (!runId || !following) return;
    let live = true;
    const timer = setInterval(() => {
      getRun(framework, runId).then(
        (r) => {
          if (!live) return;
          setRun(r);
          if (!active(r)) runEnded();
        },
        (e: unknown) => live && setError(asError(e)),
      );
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [framework, runId, following]);

  const chosen = providers.data?.providers.find((p) => p.provider === provider);
  const start = async () => {
    setError(undefined);
    setStarting(true);
    try {
      setRun(await startRun(framework, { ...(estimator === 'llm' ? { estimator, provider, model: model.trim(), language: lang } : { estimator }), ...(target ? { targetFramework: target } : {}) }));
    } catch (e) {
      setError(asError(e));
    } finally {
      setStarting(false);
    }
  };

  const cancel = async () => {
    if (!run) return;
    setError(undefined);
    setCancelling(true);
    try {
      const r = await cancelRun(framework, run.id);
      setRun((prev) => (prev ? { ...prev, ...r } : r));
      if (!active(r)) runEnded();
    } catch (e) {
      setError(asError(e));
    } finally {
      setCancelling(false);
    }
  };

  const fieldError = (field: string) => (error?.field === field ? error.message : undefined);
  const skipped = run?.blocks?.filter((b) => b.status === 'skipped') ?? [];
  const ratio = run && run.progress.total > 0 ? run.progress.done / run.progress.total : 0;
  return (
    <section className="relations-panel relations-run" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('relations.run.heading')}</h2>
      {runs.data && !canStart && <p className="muted">{t('relations.run.cannotStart')}</p>}
      {canStart && (
        <form
          className="relations-form"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <fieldset>
            <legend>{t('relations.run.estimator')}</legend>
            {(['offline', 'tfidf', 'llm'] as const).map((name) => (
              <label key={name} className="relations-choice">
                <input type="radio" name={`${id}-estimator`} value={name} checked={estimator === name} onChange={() => setEstimator(name)} /> {t(`relations.run.${name}`)}
              </label>
            ))}
          </fieldset>
          {estimator === 'llm' && (
            <>
              <div className="relations-field">
                <label htmlFor={`${id}-provider`}>{t('relations.run.provider')}</label>
                <select id={`${id}-provider`} value={provider} onChange={(e) => setProvider(e.target.value as LlmProvider)} aria-describedby={`${id}-provider-state`} aria-invalid={!!fieldError('provider')}>
                  {(providers.data?.providers ?? []).map((p) => (
                    <option key={p.provider} value={p.provider}>
                      {p.provider}
                      {p.configured ? '' : ` (${t('relations.run.notSet')})`}
                    </option>
                  ))}
                </select>
                <p id={`${id}-provider-state`} className={chosen?.configured === false ? 'relations-field-error' : 'muted'}>
                  {chosen ? (chosen.configured ? t('relations.run.configured', { variable: chosen.variable }) : t('relations.run.notConfigured', { variable: chosen.variable })) : ''}
                </p>
                {fieldError('provider') && <p className="relations-field-error">{fieldError('provider')}</p>}
              </div>
              <div className="relations-field">
                <label htmlFor={`${id}-model`}>{t('relations.run.model')}</label>
                <input id={`${id}-model`} value={model} onChange={(e) => setModel(e.target.value)} placeholder="gpt-4o-mini" aria-invalid={!!fieldError('model')} aria-describedby={fieldError('model') ? `${id}-model-error` : undefined} />
                {fieldError('model') && <p id={`${id}-model-error`} className="relations-field-error">{fieldError('model')}</p>}
              </div>
            </>
          )}
          {others.length > 0 && (
            <div className="relations-field">
              <label htmlFor={`${id}-target`}>{t('relations.run.target')}</label>
              <select id={`${id}-target`} value={target} onChange={(e) => setTarget(e.target.value)} aria-describedby={`${id}-target-hint`} aria-invalid={!!fieldError('targetFramework')}>
                <option value="">{t('relations.run.targetNone')}</option>
                {others.map((f) => (
                  <option key={f.identifier} value={f.identifier}>{f.title}</option>
                ))}
              </select>
              <p id={`${id}-target-hint`} className="muted">{t('relations.run.targetHint')}</p>
              {fieldError('targetFramework') && <p className="relations-field-error">{fieldError('targetFramework')}</p>}
            </div>
          )}
          <button type="submit" disabled={starting || active(run)}>{t('relations.run.start')}</button>
        </form>
      )}
      {error && !fieldError('provider') && !fieldError('model') && !fieldError('targetFramework') && <ErrorMessage error={error} />}
      {run && (
        <div className="relations-run-state">
          {run.targetFramework && <p className="muted">{t('relations.run.across', { title: others.find((f) => f.identifier === run.targetFramework)?.title ?? run.targetFramework })}</p>}
          <progress max={1} value={run.status === 'done' ? 1 : ratio} aria-label={t('relations.run.progress')} />
          <p role="status" data-run-status={run.status}>
            {run.status === 'queued' && t('relations.run.queued')}
            {run.status === 'running' && t('relations.run.running', { done: run.progress.done, total: run.progress.total, suggestions: run.suggestions })}
            {run.status === 'done' && !run.skippedBlocks && t('relations.run.done', { suggestions: run.suggestions, candidates: run.candidatePairs, all: run.allPairs })}
            {run.status === 'done' && run.skippedBlocks > 0 && t('relations.run.doneSkipped', { suggestions: run.suggestions, skipped: run.skippedBlocks })}
            {run.status === 'failed' && t('relations.run.failed', { error: run.error ?? '' })}
            {run.status === 'cancelled' && t('relations.run.cancelled', { error: run.error ?? '' })}
          </p>
          {canStart && active(run) && (
            <button type="button" onClick={() => void cancel()} disabled={cancelling || run.cancelRequested}>
              {run.cancelRequested ? t('relations.run.cancelling') : t('relations.run.cancel')}
            </button>
          )}
          {skipped.length > 0 && (
            <details className="relations-run-skipped" open={!active(run)}>
              <summary>{t('relations.run.skippedHeading', { count: skipped.length })}</summary>
              <ul>
                {skipped.map((b) => (
                  <li key={b.position} data-block={b.position}>
                    <strong>{b.label}</strong> ({t('relations.run.blockSize', { items: b.items, pairs: b.pairs })}): {b.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {run.estimator === 'llm' && (
            <p className="muted">{t('relations.run.usage', { requests: run.requests, cached: run.cachedRequests, input: run.inputTokens, output: run.outputTokens, cost: run.costUsd.toFixed(4) })}</p>
          )}
        </div>
      )}
    </section>
  );
}
