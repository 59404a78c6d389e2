import { ComparePage } from './pages/compare.js';
import { DashboardPage } from './pages/dashboard.js';
import { ExplorerPage } from './pages/explorer.js';
import { PeoplePage } from './pages/people.js';
import { RepositoriesPage } from './pages/repositories.js';
import { useEffect, useState } from 'preact/hooks';
import { setToken, UNAUTHORIZED } from './api/client.js';
import { useRoute, type Route } from './lib/router.js';

const NAV = [
  { parts: [], title: 'Repositories', match: ['', 'repo'] },
  { parts: ['compare'], title: 'Compare', match: ['compare'] },
  { parts: ['explorer'], title: 'Metric explorer', match: ['explorer'] },
  { parts: ['people'], title: 'People', match: ['people'] },
] as const;

function Page({ route }: { readonly route: Route }) {
  const [page = '', id] = route.parts;
  switch (page) {
    case 'repo':
      return id === undefined ? (
        <RepositoriesPage />
      ) : (
        <DashboardPage key={id} id={id} query={route.query} />
      );
    case 'compare':
      return <ComparePage query={route.query} />;
    case 'explorer':
      return <ExplorerPage query={route.query} />;
    case 'people':
      return <PeoplePage />;
    default:
      return <RepositoriesPage />;
  }
}

/** Asks for the API token once the server has refused a request without one. */
function TokenBar() {
  const [asked, setAsked] = useState<string | null>(null);
  const [value, setValue] = useState('');
  useEffect(() => {
    const ask = (event: Event) => setAsked((event as CustomEvent<Error>).detail.message);
    addEventListener(UNAUTHORIZED, ask);
    return () => removeEventListener(UNAUTHORIZED, ask);
  }, []);
  if (asked === null) return null;
  return (
    <form
      class="token-bar"
      aria-live="assertive"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(value.trim());
        location.reload();
      }}
    >
      <label for="api-token">{asked}. API token:</label>
      <input
        id="api-token"
        type="password"
        autoComplete="off"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit">Use this token</button>
    </form>
  );
}

/**
 * The dashboard's shell: a skip link, the navigation, and the page the location hash names
 * (`#/`, `#/repo/<id>`, `#/compare`, `#/explorer`, `#/people`).
 *
 * @example render(<App />, document.getElementById('app')!);
 */
export function App() {
  const route = useRoute();
  const current = route.parts[0] ?? '';
  const title = NAV.find((item) => (item.match as readonly string[]).includes(current))?.title;
  useEffect(() => {
    document.title = `${current === 'repo' ? 'Dashboard' : (title ?? 'Repositories')} · metre`;
  }, [current, title]);
  return (
    <>
      <a
        class="skip"
        href="#content"
        onClick={(e) => (e.preventDefault(), document.getElementById('content')?.focus())}
      >
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          metre
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.title}>
                <a
                  href={`#/${item.parts.join('/')}`}
                  aria-current={
                    (item.match as readonly string[]).includes(current) ? 'page' : undefined
                  }
                >
                  {item.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <TokenBar />
      <main id="content" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}
