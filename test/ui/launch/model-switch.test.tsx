/**
 * Switching the model in the picker: model_args that held the old model's default weights follows the
 * new model's default, and says so; weights the user chose are kept, with a word that they still name
 * them; the form notes model_args naming another model's default.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pretrainedDefault } from '../../../src/core/discovery/models.js';
import type { ModelEntry } from '../../../src/state/launch.js';
import type { Catalog } from '../../../src/ui/screens/launch/catalog.js';
import { fakeCatalog, renderLaunch, type LaunchHarness } from './fixtures.js';

let h: LaunchHarness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

const MODELS: ModelEntry[] = [
  { name: 'llava_onevision', aliases: [], kind: 'chat+simple', pretrained: 'lmms-lab/llava-onevision-qwen2-7b-ov' },
  { name: 'qwen2_5_vl', aliases: [], kind: 'chat', pretrained: 'Qwen/Qwen2.5-VL-7B-Instruct' },
  { name: 'plain', aliases: [], kind: 'simple' },
];

function catalog(): Catalog {
  return { ...fakeCatalog(), loadModels: async () => MODELS };
}

async function pick(x: LaunchHarness, name: string): Promise<void> {
  await x.tui.press('m');
  await x.tui.find('3 models');
  await x.tui.paste(name);
  await x.tui.find(new RegExp(`${name}\\s+chat`));
  await x.tui.press('Enter');
  await x.tui.waitFor(() => x.store.getState().spec.model === name, 2000, `model ${name}`);
}

describe('switching the model', () => {
  it('moves model_args from the old default to the new one, and says so', async () => {
    h = renderLaunch({ catalog: catalog(), spec: { harness: 'lmms-eval', model: 'llava_onevision', model_args: 'pretrained=lmms-lab/llava-onevision-qwen2-7b-ov,device_map=auto', tasks: ['mme'] } });
    await h.tui.find('--model llava_onevision');
    await pick(h, 'qwen2_5_vl');
    expect(h.store.getState().spec.model_args).toBe('pretrained=Qwen/Qwen2.5-VL-7B-Instruct,device_map=auto');
    expect(h.tui.ui.getState().flash?.text).toBe("model_args: pretrained=Qwen/Qwen2.5-VL-7B-Instruct (qwen2_5_vl's default)");
  });

  it('keeps weights the user chose and says model_args still names them', async () => {
    h = renderLaunch({ catalog: catalog(), spec: { harness: 'lmms-eval', model: 'llava_onevision', model_args: 'pretrained=/ckpt/my-llava', tasks: ['mme'] } });
    await h.tui.find('--model llava_onevision');
    await pick(h, 'qwen2_5_vl');
    expect(h.store.getState().spec.model_args).toBe('pretrained=/ckpt/my-llava');
    expect(h.tui.ui.getState().flash).toMatchObject({ text: "model_args still names pretrained=/ckpt/my-llava (qwen2_5_vl's default: Qwen/Qwen2.5-VL-7B-Instruct)", kind: 'warning' });
  });

  it("notes model_args naming another model's default", async () => {
    h = renderLaunch({ catalog: catalog(), spec: { harness: 'lmms-eval', model: 'qwen2_5_vl', model_args: 'pretrained=lmms-lab/llava-onevision-qwen2-7b-ov', tasks: ['mme'] }, columns: 80, rows: 40 });
    // 80 columns: the form is full width, so the wrapped note reads on when its rows are joined.
    const frame = (await h.tui.find("llava_onevision's")).replace(/[│\s]+/g, ' ');
    expect(frame).toContain("pretrained=lmms-lab/llava-onevision-qwen2-7b-ov is llava_onevision's default, not qwen2_5_vl's");
  });
});

describe('pretrainedDefault', () => {
  it("reads the class's __init__ default, not another class's", () => {
    const src = [
      'class Other(lmms):',
      '    def __init__(self, pretrained: str = "org/other") -> None:',
      '        pass',
      '',
      'class Llava(lmms):',
      '    """doc"""',
      '    def __init__(',
      '        self,',
      "        pretrained: str = 'liuhaotian/llava-v1.5-7b',",
      '        device: Optional[str] = "cuda:0",',
      '    ) -> None:',
      '        pass',
      'class NoDefault(lmms):',
      '    def __init__(self, pretrained: str, batch_size=1):',
      '        pass',
    ].join('\n');
    expect(pretrainedDefault(src, 'Llava')).toBe('liuhaotian/llava-v1.5-7b');
    expect(pretrainedDefault(src, 'Other')).toBe('org/other');
    expect(pretrainedDefault(src, 'NoDefault')).toBeUndefined();
    expect(pretrainedDefault(src, 'Missing')).toBeUndefined();
  });
});
