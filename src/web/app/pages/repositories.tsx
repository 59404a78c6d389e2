import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { Repository } from '../api/types.js';
import { fieldErrors, type FieldErrors } from '../lib/field-errors.js';
import { formatAgo, formatInteger, formatTime } from '../lib/format.js';
import { href } from '../lib/router.js';
import { isBusy, SCHEDULES, statusText } from '../lib/status.js';

function ScheduleField(props: {
  readonly value: string;
  readonly id: string;
  readonly onChange: (value: string) => void;
}) {
  const custom = !(SCHEDULES as readonly string[]).includes(props.value);
  return (
    <span class="schedule">
      <select
        id={props.id}
        value={custom ? 'cron' : props.value}
        onChange={(e) =>
          props.onChange(e.currentTarget.value === 'cron' ? '0 3 * * *' : e.currentTarget.value)
        }
      >
        {SCHEDULES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
        <option value="cron">cron…</option>
      </select>
      {custom ? (
        <input
          aria-label="cron expression (UTC)"
          value={props.value}
          size={12}
          onChange={(e) => props.onChange(e.currentTarget.value)}
        />
      ) : null}
    </span>
  );
}

function AddForm(props: { readonly onAdded: () => void }) {
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const [schedule, setSchedule] = useState('daily');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await api.addRepository({
        url: url.trim(),
        ...(name.trim() ? { name: name.trim() } : {}),
        schedule,
      });
      setUrl('');
      setName('');
      props.onAdded();
    } catch (error) {
      setErrors(fieldErrors(error));
    } finally {
      setBusy(false);
    }
  };
  const field = (key: 'url' | 'name' | 'schedule') =>
    errors[key] ? { 'aria-invalid': true as const, 'aria-describedby': `add-${key}-error` } : {};
  return (
    <form class="add-form" onSubmit={submit} noValidate aria-labelledby="add-title">
      <h2 id="add-title">Add a repository</h2>
      <div class="field">
        <label for="add-url">URL or local path</label>
        <input
          id="add-url"
          name="url"
          required
          placeholder="https://host/org/repo.git"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          {...field('url')}
        />
        {errors.url ? (
          <p class="field-error" id="add-url-error" role="alert">
            {errors.url}
          </p>
        ) : null}
      </div>
      <div class="field">
        <label for="add-name">Name (optional)</label>
        <input
          id="add-name"
          name="name"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          {...field('name')}
        />
        {errors.name ? (
          <p class="field-error" id="add-name-error" role="alert">
            {errors.name}
          </p>
        ) : null}
      </div>
      <div class="field">
        <label for="add-schedule">Schedule</label>
        <ScheduleField id="add-schedule" value={schedule} onChange={setSchedule} />
        {errors.schedule ? (
          <p class="field-error" id="add-schedule-error" role="alert">
            {errors.schedule}
          </p>
        ) : null}
      </div>
      <div class="field actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add and collect'}
        </button>
      </div>
      {errors.form ? (
        <p class="field-error" role="alert">
          {errors.form}
        </p>
      ) : null}
    </form>
  );
}

function RepoRow(props: { readonly repo: Repository; readonly onChange: () => void }) {
  const { repo } = props;
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const act = async (action: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await action();
      props.onChange();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };
  const status = statusText(repo);
  return (
    <tr data-repo={repo.name} data-status={repo.status}>
      <th scope="row">
        <a href={href(['repo', repo.id])}>{repo.name}</a>
        <div class="muted small">{repo.source}</div>
      </th>
      <td>
        <span class={`status status-${repo.status}`} data-testid="repo-status">
          {status}
        </span>
        {repo.status === 'failed' && repo.lastError ? (
          <div class="field-error small" data-testid="repo-error">
            {repo.lastError}
          </div>
        ) : null}
      </td>
      <td title={formatTime(repo.lastCollectedAt)}>{formatAgo(repo.lastCollectedAt)}</td>
      <td>
        <ScheduleField
          id={`schedule-${repo.id}`}
          value={repo.schedule}
          onChange={(schedule) => void act(() => api.updateRepository(repo.id, { schedule }))}
        />
      </td>
      <td class="num" data-testid="repo-commits">
        {formatInteger(repo.commits)}
      </td>
      <td class="row-actions">
        <button
          type="button"
          disabled={isBusy(repo)}
          onClick={() => void act(() => api.collect(repo.id))}
        >
          Collect now
        </button>
        {confirming ? (
          <span role="group" aria-label={`Delete ${repo.name}?`}>
            <button
              type="button"
              class="danger"
              onClick={() => void act(() => api.deleteRepository(repo.id))}
            >
              Delete {repo.name}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Delete…
          </button>
        )}
        {message ? <div class="field-error small">{message}</div> : null}
      </td>
    </tr>
  );
}

/** Polls the list: every second while a collection runs, every 10 s otherwise. */
function useRepositories() {
  const [repos, setRepos] = useState<Repository[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const load = useCallback(async () => {
    clearTimeout(timer.current);
    let next = 10_000;
    try {
      const list = await api.repositories();
      setRepos(list);
      setError(null);
      if (list.some(isBusy)) next = 1000;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    timer.current = setTimeout(() => void load(), next);
  }, []);
  useEffect(() => {
    void load();
    return () => clearTimeout(timer.current);
  }, [load]);
  return { repos, error, reload: () => void load() };
}

/** The repositories page: the list with status and actions, and the form to add one. */
export function RepositoriesPage() {
  const { repos, error, reload } = useRepositories();
  return (
    <div class="page">
      <h1>Repositories</h1>
      <AddForm onAdded={reload} />
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {repos === null ? (
        <p>Loading…</p>
      ) : repos.length === 0 ? (
        <p class="empty">No repository yet: add one above.</p>
      ) : (
        <div class="table-scroll">
          <table class="repos">
            <caption class="sr-only">Repositories</caption>
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col">Status</th>
                <th scope="col">Last collection</th>
                <th scope="col">Schedule</th>
                <th scope="col">Commits</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {repos.map((repo) => (
                <RepoRow key={repo.id} repo={repo} onChange={reload} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
