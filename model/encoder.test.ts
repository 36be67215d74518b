import { describe, expect, it } from 'vitest';
import { openSession, planProviders } from './encoder.js';
import { GraphBuilder } from './onnx/graph.js';

function addOneGraph(): Uint8Array {
  const g = new GraphBuilder('add-one');
  g.input('x', 'float32', ['n']);
  g.initializer('one', new Float32Array([1]), [1]);
  g.node('Add', ['x', 'one'], ['y']);
  g.node('ArgMax', ['x'], ['best'], { axis: 0, keepdims: 0 });
  g.output('y', 'float32', ['n']);
  g.output('best', 'int64', []);
  return g.toBytes();
}

describe('planProviders', () => {
  it('keeps CUDA only where its provider library is installed, and says why otherwise', () => {
    const missing = planProviders(undefined, { platform: 'linux', arch: 'x64', fileExists: () => false });
    expect(missing.candidates).toEqual(['cpu']);
    expect(missing.notes.join('\n')).toMatch(/cuda: the CUDA provider is not installed/);
    expect(missing.notes.join('\n')).toMatch(/dml: DirectML runs on Windows only/);
    expect(missing.notes.join('\n')).toMatch(/coreml: CoreML runs on macOS only/);
    const installed = planProviders(undefined, { platform: 'linux', arch: 'x64', fileExists: () => true });
    expect(installed.candidates).toEqual(['cuda', 'cpu']);
  });

  it('tells a machine with an NVIDIA GPU how to add the CUDA provider', () => {
    const gpu = planProviders(undefined, { platform: 'linux', arch: 'x64', fileExists: () => false, nvidiaGpu: true });
    expect(gpu.candidates).toEqual(['cpu']);
    expect(gpu.notes.join('\n')).toMatch(/NVIDIA GPU .* run `npm run setup:cuda`/);
  });

  it('picks DirectML on Windows when the CUDA provider is not installed', () => {
    const windows = planProviders(undefined, { platform: 'win32', arch: 'x64', fileExists: () => false });
    expect(windows.candidates).toEqual(['dml', 'cpu']);
  });

  it('orders the platform providers before CPU', () => {
    expect(planProviders(undefined, { platform: 'win32', arch: 'x64', fileExists: () => true }).candidates).toEqual([
      'cuda',
      'dml',
      'cpu',
    ]);
    const mac = planProviders(undefined, { platform: 'darwin', arch: 'arm64', fileExists: () => true });
    expect(mac.candidates).toEqual(['coreml', 'cpu']);
    expect(mac.notes.join('\n')).toMatch(/cuda: not available for darwin\/arm64/);
    expect(planProviders(['cpu'], { platform: 'win32', arch: 'x64', fileExists: () => true })).toEqual({
      candidates: ['cpu'],
      notes: [],
    });
  });
});

describe('openSession', () => {
  it('runs a graph from bytes and converts int64 outputs to float', async () => {
    const session = await openSession(addOneGraph());
    try {
      expect(session.inputNames).toEqual(['x']);
      const out = await session.run({ x: { data: new Float32Array([1, 5, 2]), dims: [3] } });
      expect(Array.from(out.y.data)).toEqual([2, 6, 3]);
      expect(Array.from(out.best.data)).toEqual([1]);
    } finally {
      await session.release();
    }
  });

  it('falls back to CPU and reports the provider it skipped', async () => {
    // On this machine CUDA/DirectML/CoreML are unavailable or fail: whichever it is, a note must say so.
    const session = await openSession(addOneGraph(), { providers: ['cuda', 'dml', 'coreml'] });
    try {
      expect(['cuda', 'dml', 'coreml', 'cpu']).toContain(session.provider);
      if (session.provider === 'cpu') expect(session.providerNotes.length).toBeGreaterThanOrEqual(3);
    } finally {
      await session.release();
    }
  });

  it('fails with a clear message on a model that is not ONNX', async () => {
    await expect(openSession(new Uint8Array([1, 2, 3, 4]), { providers: ['cpu'] })).rejects.toThrow(
      /no execution provider could load the model: cpu: failed to start/,
    );
  });
});
