import { describe, expect, it } from 'vitest';
import { useState } from 'react';
import { Box, Text } from 'ink';
import { renderTui } from './helpers/render-tui.js';
import { TextInput } from '../../src/ui/components/text-input.js';
import { useKeys } from '../../src/ui/keymap/dispatch.js';

function Field(): React.ReactNode {
  const [v, setV] = useState('');
  const [editing, setEditing] = useState(false);
  const [count, setCount] = useState(0);
  const [submitted, setSubmitted] = useState('');
  useKeys('global', (k) => {
    if (k.name === 'j') {
      setCount((c) => c + 1);
      return true;
    }
    if (k.name === 'e') {
      setEditing(true);
      return true;
    }
    return false;
  });
  return (
    <Box flexDirection="column">
      <Text>count {count}</Text>
      <TextInput value={v} onChange={setV} focus={editing} onSubmit={(s) => { setSubmitted(s); setEditing(false); }} onCancel={() => setEditing(false)} />
      <Text>submitted [{submitted}]</Text>
    </Box>
  );
}

describe('renderTui harness and input layer', () => {
  it('runs a typed burst as separate keys when no field has focus', async () => {
    const ui = renderTui(<Field />);
    await ui.press('jjj');
    await ui.find('count 3');
    ui.unmount();
  });

  it('types letters into a focused field instead of running them, and Enter submits', async () => {
    const ui = renderTui(<Field />);
    await ui.press('e');
    await ui.waitFor(() => ui.ui.getState().textInputActive, 2000, 'text input active');
    await ui.press('j', 'q', 'Backspace', 'x', 'Enter');
    await ui.find('submitted [jx]');
    expect(ui.frame()).toContain('count 0');
    await ui.waitFor(() => !ui.ui.getState().textInputActive, 2000, 'field released');
    ui.unmount();
  });

  it('delivers a bracketed paste only to the focused field, never as keys', async () => {
    const ui = renderTui(<Field />);
    await ui.paste('jjj');
    await ui.waitFor(() => ui.ui.getState().flash?.text.includes('paste ignored') === true, 2000, 'paste-ignored hint');
    expect(ui.frame()).toContain('count 0');
    await ui.press('e');
    await ui.paste('hello\nworld');
    await ui.press('Enter');
    await ui.find('submitted [hello world]');
    expect(ui.frame()).toContain('count 0');
    ui.unmount();
  });

  it('first Ctrl-C clears the field and arms quit; the second within the window quits', async () => {
    const ui = renderTui(<Field />);
    await ui.press('e', 'a', 'b', 'C-c', 'Enter');
    await ui.find('submitted []');
    expect(ui.ui.getState().quitRequested).toBe(false);
    await ui.press('C-c');
    await ui.waitFor(() => ui.ui.getState().quitRequested, 1000, 'quit');
    ui.unmount();
  });
});

describe('typing bursts', () => {
  it('keeps every character of a fast burst in a text field (each key sees the previous render)', async () => {
    function F(): React.ReactNode {
      const [v, setV] = useState('');
      return (
        <Box flexDirection="column">
          <TextInput value={v} onChange={setV} focus />
          <Text>[{v}]</Text>
        </Box>
      );
    }
    const ui = renderTui(<F />);
    await ui.press('mme');
    await ui.find('[mme]');
    ui.unmount();
  });
});
