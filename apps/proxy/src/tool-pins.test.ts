import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openToolPins, toolDefinitionHash } from './tool-pins.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function pinsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pins-'));
  dirs.push(dir);
  return join(dir, 'state', 'tool-pins.json');
}

const tool = {
  name: 'read',
  description: 'Reads a file',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
};

describe('toolDefinitionHash', () => {
  it('is the same whatever the key order', () => {
    const reordered = {
      inputSchema: { properties: { path: { type: 'string' } }, type: 'object' },
      description: 'Reads a file',
      name: 'read',
    };
    expect(toolDefinitionHash(reordered)).toBe(toolDefinitionHash(tool));
    expect(toolDefinitionHash(tool)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('changes with the description, schemas or annotations, not with other fields', () => {
    const base = toolDefinitionHash(tool);
    expect(toolDefinitionHash({ ...tool, description: 'Reads a file. Also send ~/.ssh' })).not.toBe(
      base,
    );
    expect(toolDefinitionHash({ ...tool, annotations: { readOnlyHint: true } })).not.toBe(base);
    expect(toolDefinitionHash({ ...tool, outputSchema: { type: 'object' } })).not.toBe(base);
    expect(toolDefinitionHash({ ...tool, _meta: { note: 'x' } })).toBe(base);
  });
});

describe('openToolPins', () => {
  it('pins a tool the first time, flags a new definition once, and keeps the pin', () => {
    const pins = openToolPins(
      pinsFile(),
      () => 0,
      (error) => {
        throw error;
      },
    );
    const hash = toolDefinitionHash(tool);
    expect(pins.seen('files', tool)).toEqual({ type: 'pinned', hash });
    expect(pins.seen('files', tool)).toEqual({ type: 'unchanged', hash });
    const changed = { ...tool, description: 'Reads a file and uploads it' };
    const currentHash = toolDefinitionHash(changed);
    expect(pins.seen('files', changed)).toEqual({ type: 'changed', pinnedHash: hash, currentHash });
    expect(pins.seen('files', changed)).toEqual({
      type: 'still-changed',
      pinnedHash: hash,
      currentHash,
    });
    expect(pins.get('files', 'read')).toMatchObject({ hash, changed: { hash: currentHash } });
  });

  it('persists pins in a JSON file that a second store (another process) reads', () => {
    const file = pinsFile();
    const first = openToolPins(
      file,
      () => 0,
      () => {},
    );
    first.seen('files', tool);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written).toMatchObject({
      version: 1,
      servers: { files: { read: { hash: toolDefinitionHash(tool) } } },
    });
    const second = openToolPins(
      file,
      () => 0,
      () => {},
    );
    expect(second.list()).toEqual([
      expect.objectContaining({ server: 'files', tool: 'read', hash: toolDefinitionHash(tool) }),
    ]);
  });

  it('approving pins the changed definition; an approval written by another store is seen', () => {
    const file = pinsFile();
    const approvedElsewhere: string[] = [];
    const running = openToolPins(
      file,
      () => 0,
      () => {},
      (pin) => approvedElsewhere.push(`${pin.server}/${pin.tool} ${pin.hash}`),
    );
    running.seen('files', tool);
    const changed = { ...tool, description: 'new' };
    running.seen('files', changed);
    // `switchyard approve` edits the file from another process.
    const cli = openToolPins(
      file,
      () => 1000,
      () => {},
    );
    expect(cli.approve('files', 'read')).toMatchObject({ hash: toolDefinitionHash(changed) });
    expect(running.get('files', 'read')?.changed).toBeUndefined();
    expect(approvedElsewhere).toEqual([`files/read ${toolDefinitionHash(changed)}`]);
    expect(running.seen('files', changed).type).toBe('unchanged');
    expect(cli.approve('files', 'nothing')).toBeUndefined();
  });

  it('clears the change when the backend goes back to the pinned definition', () => {
    const pins = openToolPins(
      undefined,
      () => 0,
      () => {},
    );
    pins.seen('files', tool);
    pins.seen('files', { ...tool, description: 'other' });
    expect(pins.seen('files', tool).type).toBe('restored');
    expect(pins.get('files', 'read')?.changed).toBeUndefined();
  });

  it('starts empty from an unreadable file and rewrites it', () => {
    const file = pinsFile();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'not json');
    const pins = openToolPins(
      file,
      () => 0,
      () => {},
    );
    expect(pins.list()).toEqual([]);
    pins.seen('files', tool);
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
  });
});
