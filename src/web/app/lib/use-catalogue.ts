import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { MetricDescription, Repository } from '../api/types.js';

let catalogue: Promise<MetricDescription[]> | undefined;

/** The metrics catalogue, fetched once per page load. */
export function useCatalogue(): MetricDescription[] | null {
  const [metrics, setMetrics] = useState<MetricDescription[] | null>(null);
  useEffect(() => {
    catalogue ??= api.catalogue();
    catalogue.then(setMetrics, () => {
      catalogue = undefined;
    });
  }, []);
  return metrics;
}

/** The repositories, fetched once when the page opens. */
export function useRepositoryList(): Repository[] | null {
  const [repos, setRepos] = useState<Repository[] | null>(null);
  useEffect(() => {
    api.repositories().then(setRepos, () => setRepos([]));
  }, []);
  return repos;
}
