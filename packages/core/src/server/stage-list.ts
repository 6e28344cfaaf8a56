import { invalidOption, MwsError } from '../base/errors';
import type { Stage, StagePosition } from '../pipeline/stage';

/**
 * The server's ordered stages, by name. The built-in ones are `access`, `module:<Name>` (one per loaded
 * module, in load order), `routes`, `static`, `options` and `fallback`; `insert` adds one before or after
 * a named stage.
 */
export class StageList {
  private readonly _stages: Stage[] = [];

  constructor(initial: Stage[]) {
    for (const s of initial) this._stages.push(s);
  }

  get stages(): readonly Stage[] { return this._stages; }

  get names(): string[] { return this._stages.map((s) => s.name); }

  /** Replaces the stage named `name` (same place). */
  replace(name: string, stage: Stage): void {
    const i = this._stages.findIndex((s) => s.name === name);
    if (i !== -1) this._stages[i] = stage;
  }

  /** Removes the stage named `name`, if present. */
  remove(name: string): void {
    const i = this._stages.findIndex((s) => s.name === name);
    if (i !== -1) this._stages.splice(i, 1);
  }

  insert(stage: Stage, position: StagePosition = { before: 'routes' }): void {
    if (stage === null || typeof stage !== 'object' || typeof stage.run !== 'function' || typeof stage.name !== 'string' || stage.name.length === 0) {
      throw invalidOption('addStage stage', '{ name: a non-empty string, run(request): boolean | Promise<boolean> }', stage);
    }
    if (this._stages.some((s) => s.name === stage.name)) throw new MwsError('ERR_MWS_ROUTE_DUPLICATE', `addStage: a stage named '${stage.name}' already exists (${this.names.join(', ')})`);
    const p = position as { before?: unknown; after?: unknown };
    const anchor = typeof p?.before === 'string' ? p.before : typeof p?.after === 'string' ? p.after : null;
    const i = anchor === null ? -1 : this._stages.findIndex((s) => s.name === anchor);
    if (anchor === null || i === -1 || (anchor === 'access' && p.before !== undefined)) {
      throw invalidOption('addStage position', `{ before: name } or { after: name } naming a stage after 'access' (stages: ${this.names.join(', ')})`, position);
    }
    if (anchor === 'fallback' && p.after !== undefined) throw invalidOption('addStage position', "a place before 'fallback' (it always answers)", position);
    this._stages.splice(typeof p.before === 'string' ? i : i + 1, 0, stage);
  }
}
