/** Keys of the output pane (scope 'log'): scrolling with follow/pause, search, wrap, and job actions. */
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import { LOG_BINDINGS } from '../../keymap/bindings.js';
import { useServices } from '../../services.js';
import { useUiStore } from '../../hooks/use-ui.js';
import { findMatch } from '../../../state/log-view.js';
import { useJobActions } from './job-actions.js';
import type { JobJson } from '../../../client/types.js';

export function useOutputKeys(opts: { active: boolean; lineRows: number; job: JobJson | null; onSearch(): void }): void {
  const { logView, feed } = useServices();
  const ui = useUiStore();
  const actions = useJobActions();
  useKeys(
    'pane',
    (key) => {
      const action = actionFor(LOG_BINDINGS, 'log', key);
      if (!action) return false;
      const v = logView.getState();
      const h = Math.max(1, opts.lineRows);
      const half = Math.max(1, Math.floor(h / 2));
      const ring = feed.ring;
      switch (action) {
        case 'down': v.scroll(1, h); break;
        case 'up': v.scroll(-1, h); break;
        case 'page-down': v.scroll(half, h); break;
        case 'page-up': v.scroll(-half, h); break;
        case 'top': v.toTop(); break;
        case 'bottom': v.resume(); break;
        case 'toggle-follow': v.toggleFollow(h); break;
        case 'toggle-wrap': v.toggleWrap(); break;
        case 'search': opts.onSearch(); break;
        case 'next-match':
        case 'prev-match': {
          if (!v.query || !ring) {
            ui.getState().setFlash('no search: press / first', 'warning');
            break;
          }
          const from = v.matchNo ?? (v.follow ? ring.totalLines + 1 : v.top);
          const hit = findMatch(ring, v.query, from, action === 'next-match' ? 1 : -1);
          if (hit === null) ui.getState().setFlash(`not found: ${v.query}`, 'warning');
          else v.showMatch(hit, h);
          break;
        }
        case 'stop': if (opts.job) actions.stop(opts.job); break;
        case 'copy-log-path': if (opts.job) actions.copyLogPath(opts.job); break;
        case 'pager': if (opts.job) void actions.openPager(opts.job); break;
        case 'back': ui.getState().setPane('table'); break;
        default: return false;
      }
      return true;
    },
    opts.active,
  );
}
