import { Suspense, lazy } from 'react';
import { DetailPanel } from './features/detail/DetailPanel';
import { FilterBar } from './features/filter-bar/FilterBar';
import { Header } from './features/header/Header';
import { StreamTable } from './features/stream/StreamTable';
import { VersionsView } from './features/versions/VersionsView';
import { setTab, useUi, type MainTab } from './stores/ui-store';
import { useShortcuts } from './use-shortcuts';

// The graph (React Flow + dagre) and the charts (recharts) are the heavy parts: own chunks.
const FlowGraph = lazy(() => import('./features/flow-graph/FlowGraph'));
const Charts = lazy(() => import('./features/charts/Charts').then((m) => ({ default: m.Charts })));

const TABS: { id: MainTab; label: string }[] = [
  { id: 'graph', label: 'Flow graph' },
  { id: 'versions', label: 'Versions' },
];

export function App() {
  useShortcuts();
  const tab = useUi((s) => s.tab);
  const detailOpen = useUi((s) => s.detailId !== null);
  return (
    <div className="app">
      <Header />
      <FilterBar />
      <div className={`main ${detailOpen ? 'with-detail' : ''}`}>
        <div className="work">
          <div className="top-pane">
            <div className="tab-area">
              <div className="tabs" role="tablist">
                {TABS.map((t) => (
                  <button
                    key={t.id}
                    type="button"
                    role="tab"
                    aria-selected={tab === t.id}
                    className={`tab ${tab === t.id ? 'tab-active' : ''}`}
                    data-testid={`tab-${t.id}`}
                    onClick={() => setTab(t.id)}
                  >
                    {t.label}
                  </button>
                ))}
              </div>
              <div className="tab-body">
                <Suspense fallback={<div className="empty">loading…</div>}>{tab === 'graph' ? <FlowGraph /> : <VersionsView />}</Suspense>
              </div>
            </div>
            <Suspense fallback={<div className="charts" />}>
              <Charts />
            </Suspense>
          </div>
          <StreamTable />
        </div>
        <DetailPanel />
      </div>
    </div>
  );
}
