import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { Affiliation, Identity } from '../api/types.js';
import { formatInteger } from '../lib/format.js';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Most emails the People page lists. */
const MAX_EMAILS = 10_000;

/**
 * Every author email of every repository (from `top-contributors` by email over them all) with the
 * person it counts as: its explicit merge if there is one, else itself.
 */
export async function loadIdentities(): Promise<Identity[]> {
  const [links, repos] = await Promise.all([api.identities(), api.repositories()]);
  const personOf = new Map(links.map((l) => [l.email, l.person]));
  const ids = repos.filter((r) => r.commits > 0).map((r) => r.id);
  const seen =
    ids.length === 0
      ? []
      : await api.metric('top-contributors', ids, { identity: 'email', limit: MAX_EMAILS });
  const rows =
    seen === undefined || Array.isArray(seen) || seen.result.kind !== 'table'
      ? []
      : seen.result.rows;
  const items: Identity[] = rows.map((row) => {
    const email = String(row.person);
    return {
      email,
      person: personOf.get(email) ?? email,
      names: [String(row.name)],
      commits: Number(row.commits),
      merged: personOf.has(email),
    };
  });
  const listed = new Set(items.map((i) => i.email));
  for (const link of links) {
    if (!listed.has(link.email))
      items.push({ email: link.email, person: link.person, merged: true });
  }
  return items.sort((a, b) =>
    a.person < b.person ? -1 : a.person > b.person ? 1 : a.email < b.email ? -1 : 1,
  );
}

function Identities() {
  const [items, setItems] = useState<Identity[] | null>(null);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [as, setAs] = useState('');
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const load = () =>
    loadIdentities().then(setItems, (e) => setNote({ text: message(e), error: true }));
  useEffect(() => void load(), []);
  const act = async (action: () => Promise<void>, done: string) => {
    setNote(null);
    try {
      await action();
      setSelected([]);
      setAs('');
      await load();
      setNote({ text: done, error: false });
    } catch (e) {
      setNote({ text: message(e), error: true });
    }
  };
  const needle = filter.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (i) =>
      needle === '' ||
      [i.email, i.person, ...(i.names ?? [])].some((t) => t.toLowerCase().includes(needle)),
  );
  const toggle = (email: string, on: boolean) =>
    setSelected((s) => (on ? [...s, email] : s.filter((e) => e !== email)));
  const canonical = as !== '' && selected.includes(as) ? as : selected[0];
  return (
    <section aria-labelledby="identities-title" class="panel wide">
      <header class="panel-head">
        <h2 id="identities-title">Identities</h2>
      </header>
      <p class="muted small">
        People are resolved through each repository’s .mailmap, then the merges made here, then the
        lower-cased email. Merging or splitting changes every metric at once, without collecting
        again.
      </p>
      <div class="toolbar">
        <label>
          Filter{' '}
          <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </label>
        <label>
          Merge as{' '}
          <select
            value={canonical ?? ''}
            onChange={(e) => setAs(e.currentTarget.value)}
            disabled={selected.length === 0}
          >
            {selected.map((email) => (
              <option key={email} value={email}>
                {email}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={selected.length < 2}
          onClick={() =>
            void act(
              () => api.mergeIdentities(selected, canonical),
              `Merged ${selected.length} emails as ${canonical}.`,
            )
          }
        >
          Merge selected
        </button>
        <button
          type="button"
          disabled={selected.length === 0}
          onClick={() =>
            void act(() => api.splitIdentities(selected), `Split ${selected.length} emails.`)
          }
        >
          Split selected
        </button>
      </div>
      {note ? (
        <p class={note.error ? 'field-error' : 'note'} role={note.error ? 'alert' : 'status'}>
          {note.text}
        </p>
      ) : null}
      {items === null ? (
        <p>Loading…</p>
      ) : shown.length === 0 ? (
        <p class="empty">No identity{needle ? ' matches' : ' yet: collect a repository first'}.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption class="sr-only">Identities</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span class="sr-only">Select</span>
                </th>
                <th scope="col">Email</th>
                <th scope="col">Names</th>
                <th scope="col">Person</th>
                <th scope="col">Commits</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((i) => (
                <tr key={i.email} data-email={i.email}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${i.email}`}
                      checked={selected.includes(i.email)}
                      onChange={(e) => toggle(i.email, e.currentTarget.checked)}
                    />
                  </td>
                  <td>{i.email}</td>
                  <td>{(i.names ?? []).join(', ')}</td>
                  <td>
                    {i.person}
                    {i.merged ? <span class="badge">merged</span> : null}
                  </td>
                  <td class="num">{i.commits === undefined ? '—' : formatInteger(i.commits)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const blank: Affiliation = { email: '', organization: '', from: null, to: null };

function Affiliations() {
  const [rows, setRows] = useState<Affiliation[] | null>(null);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  useEffect(() => {
    api.affiliations().then(setRows, (e) => {
      setRows([]);
      setNote({ text: message(e), error: true });
    });
  }, []);
  const update = (i: number, patch: Partial<Affiliation>) =>
    setRows((all) => (all ?? []).map((row, j) => (j === i ? { ...row, ...patch } : row)));
  const save = async (event: Event) => {
    event.preventDefault();
    setNote(null);
    try {
      await api.saveAffiliations((rows ?? []).filter((r) => r.email.trim() !== ''));
      setNote({ text: 'Saved: every metric uses the new affiliations.', error: false });
    } catch (e) {
      setNote({ text: message(e), error: true });
    }
  };
  const text = (i: number, key: 'email' | 'organization', row: Affiliation, labelText: string) => (
    <input
      aria-label={`${labelText} ${i + 1}`}
      value={row[key]}
      onInput={(e) => update(i, { [key]: e.currentTarget.value })}
    />
  );
  const date = (i: number, key: 'from' | 'to', row: Affiliation) => (
    <input
      type="date"
      aria-label={`${key} ${i + 1}`}
      value={row[key]?.slice(0, 10) ?? ''}
      onChange={(e) => update(i, { [key]: e.currentTarget.value || null })}
    />
  );
  return (
    <section aria-labelledby="affiliations-title" class="panel wide">
      <header class="panel-head">
        <h2 id="affiliations-title">Affiliations</h2>
      </header>
      <p class="muted small">
        Who worked for which organisation, and when (from inclusive, to exclusive). Without an
        entry, the email’s domain is the organisation (public mail providers count as independent).
      </p>
      {rows === null ? (
        <p>Loading…</p>
      ) : (
        <form onSubmit={save}>
          <div class="table-scroll">
            <table>
              <caption class="sr-only">Affiliations</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Organisation</th>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">
                    <span class="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row, i) => (
                  <tr key={i}>
                    <td>{text(i, 'email', row, 'email')}</td>
                    <td>{text(i, 'organization', row, 'organisation')}</td>
                    <td>{date(i, 'from', row)}</td>
                    <td>{date(i, 'to', row)}</td>
                    <td>
                      <button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="toolbar">
            <button type="button" onClick={() => setRows([...rows, blank])}>
              Add an entry
            </button>
            <button type="submit" class="primary">
              Save affiliations
            </button>
          </div>
          {note ? (
            <p class={note.error ? 'field-error' : 'note'} role={note.error ? 'alert' : 'status'}>
              {note.text}
            </p>
          ) : null}
        </form>
      )}
    </section>
  );
}

/** People: identities with their emails (merge, split) and the affiliation map. */
export function PeoplePage() {
  return (
    <div class="page people">
      <h1>People</h1>
      <Identities />
      <Affiliations />
    </div>
  );
}
