/**
 * The preset picker: the saved presets filtered by what is typed, a summary of the highlighted one, Enter
 * loads it into the form, Ctrl-X deletes it (after a confirmation).
 */
import { useState, type ReactNode } from 'react';
import type { SettingsStore } from '../../../core/settings.js';
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import { LAUNCH_BINDINGS } from './bindings.js';
import { pickerListHeight, PickerFrame, usePickerQuery } from './picker-frame.js';

export interface PresetsPickerProps {
  settings: SettingsStore;
  width: number;
  height: number;
  onLoad(name: string): void;
  onDelete(name: string, after: () => void): void;
  onCancel(): void;
}

export function PresetsPicker({ settings, width, height, onLoad, onDelete, onCancel }: PresetsPickerProps): ReactNode {
  const picker = usePickerQuery();
  const { query } = picker;
  // Re-read after a delete; the list is tiny, so reading the file again costs nothing noticeable.
  const [version, setVersion] = useState(0);
  const names = settings.presetNames().filter((n) => n.toLowerCase().includes(query.trim().toLowerCase()));
  const at = picker.cursorIn(names.length);
  const name = names[at];
  const spec = name ? settings.loadPreset(name) : undefined;
  const page = pickerListHeight(width, height);

  useKeys('overlay', (key) => {
    const action = actionFor(LAUNCH_BINDINGS, 'picker', key);
    if (picker.move(action, names.length, page)) return true;
    switch (action) {
      case 'choose':
        if (name) onLoad(name);
        return true;
      case 'delete':
        if (name) onDelete(name, () => setVersion(version + 1));
        return true;
      case 'cancel':
        onCancel();
        return true;
      case 'mark':
      case 'expand':
        return true;
      default:
        if (key.name === 'C-c' && query === '') {
          onCancel();
          return true;
        }
        return false;
    }
  });

  const detail = spec
    ? [
        name!,
        `harness: ${spec.harness}${spec.demo ? ' (demo)' : ''}`,
        `model: ${spec.model || '-'}${spec.model_args ? `  ${spec.model_args}` : ''}`,
        `tasks: ${spec.tasks.join(', ') || '-'}`,
        ...(spec.env?.length ? [`env: ${spec.env.length} line(s)`] : []),
      ]
    : [];
  return (
    <PickerFrame<string>
      title="Presets"
      status={`${settings.presetNames().length} saved`}
      width={width}
      height={height}
      query={query}
      onQuery={picker.setQuery}
      info={{ text: 'Enter loads into the form · Ctrl-X deletes · Esc closes · s in the form saves', tone: 'muted' }}
      items={names}
      cursor={at}
      renderRow={(n) => n}
      detail={detail}
      empty={query ? 'no preset matches' : 'no presets yet: press s in the form to save one'}
      placeholder="type to filter presets"
    />
  );
}
