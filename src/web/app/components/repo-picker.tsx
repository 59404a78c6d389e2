import type { Repository } from '../api/types.js';

/**
 * Checkboxes to choose a set of repositories.
 *
 * @example <RepoPicker repos={repos} selected={ids} onChange={setIds} />
 */
export function RepoPicker(props: {
  readonly repos: readonly Repository[];
  readonly selected: readonly string[];
  readonly onChange: (ids: string[]) => void;
  readonly legend?: string;
}) {
  const toggle = (id: string, on: boolean) =>
    props.onChange(on ? [...props.selected, id] : props.selected.filter((s) => s !== id));
  return (
    <fieldset class="picker">
      <legend>{props.legend ?? 'Repositories'}</legend>
      {props.repos.length === 0 ? <p class="empty">No repository yet.</p> : null}
      {props.repos.map((repo) => (
        <label key={repo.id} class="check">
          <input
            type="checkbox"
            checked={props.selected.includes(repo.id)}
            onChange={(e) => toggle(repo.id, e.currentTarget.checked)}
          />{' '}
          {repo.name}
        </label>
      ))}
    </fieldset>
  );
}
