/** The jobs table: one row per job, windowed, the selected row inverse (and marked, for NO_COLOR). */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from '../../components/pane.js';
import { WindowedList } from '../../components/windowed-list.js';
import { STATE_TOKEN, stateLabel } from '../../components/status-badge.js';
import { useJobs } from '../../services.js';
import { useTheme } from '../../theme/index.js';
import { fit } from '../../text.js';
import { headerRow, isStopping, jobColumns, rowRest } from './format.js';
import { useNow } from '../../hooks/use-now.js';
import type { JobJson } from '../../../client/types.js';

export interface JobsTableProps {
  width: number;
  height: number;
  focused: boolean;
  selected: number;
}

export function JobsTable({ width, height, focused, selected }: JobsTableProps): ReactNode {
  const theme = useTheme();
  const jobs = useJobs((s) => s.jobs);
  const progress = useJobs((s) => s.progress);
  const server = useJobs((s) => s.server);
  const serverError = useJobs((s) => s.serverError);
  const now = useNow(jobs.some((j) => j.state === 'running') ? 1000 : 0);
  const inner = paneInner(width, height);
  const c = jobColumns(inner.width, jobs.some((j) => j.label));
  const ell = theme.glyphs.ellipsis;
  const empty =
    server === 'down'
      ? `server unreachable: ${serverError ?? ''}`
      : server === 'connecting'
        ? 'connecting to the lmms-tui server…'
        : 'no jobs yet: press 1 to launch one';
  const renderRow = (job: JobJson, _i: number, isSel: boolean): ReactNode => (
    <Text wrap="truncate-end" inverse={isSel && focused} bold={isSel && !focused}>
      <Text color={isSel && focused ? undefined : theme.color(isStopping(job) ? 'stopped' : STATE_TOKEN[job.state])}>
        {fit(isStopping(job) ? `${theme.glyphs.state.stopped} stopping` : stateLabel(job.state, theme.glyphs), c.state, ell)}
      </Text>
      {` ${rowRest(job, progress[job.id], c, theme.glyphs, now)}`}
    </Text>
  );
  return (
    <Pane title={`Jobs (${jobs.length})`} width={width} height={height} focused={focused} status={selected >= 0 && jobs.length > 0 ? `${selected + 1}/${jobs.length}` : undefined} clip={false}>
      <Box height={1}>
        <Text color={theme.color('muted')} bold wrap="truncate-end">
          {fit(headerRow(c, ell), inner.width, ell)}
        </Text>
      </Box>
      <WindowedList items={jobs} selected={Math.max(0, selected)} height={Math.max(0, inner.height - 1)} width={inner.width} renderRow={renderRow} focused={focused} empty={empty} clip={false} />
    </Pane>
  );
}
