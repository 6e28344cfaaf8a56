import { assertInt, XAsyncError } from './errors';

/**
 * What a pool knows of its slots and a slot reads of its pool: one table per pool, shared by its slots
 * (no object per slot beyond the slot itself). Indexed by slot index.
 */
interface SlotTable {
  readonly size: number;
  /** 1 while the slot is acquired. */
  readonly inUse: Uint8Array;
  /** Each slot's memory: a view of the backing allocation (keepAlloc), else allocated while acquired. */
  readonly buffers: Array<Buffer | null>;
}

/**
 * One fixed-size buffer of an {@link XBufferSlots} pool. A slot has one owner at a time; the owner
 * gives it back with `slots.release(slot)`.
 */
export class XBufferSlot {
  /** Position in the pool; stable for the pool's life. */
  readonly index: number;
  /** Whatever acquired the slot (for diagnostics), or null when free. */
  owner: unknown = null;
  private readonly _table: SlotTable;

  /** @internal Slots are made by their XBufferSlots. */
  constructor(table: SlotTable, index: number) {
    this._table = table;
    this.index = index;
  }

  /** The slot's memory, `size` bytes. Valid only while the slot is acquired. */
  get buffer(): Buffer {
    const buf = this._table.buffers[this.index];
    if (this._table.inUse[this.index] === 0 || buf === null) {
      throw new XAsyncError('ERR_XAS_SLOT_NOT_ACQUIRED', `slot ${this.index} is not acquired: its buffer is not yours to use`);
    }
    return buf;
  }

  get size(): number { return this._table.size; }
  get available(): boolean { return this._table.inUse[this.index] === 0; }
}

/** Counters of an {@link XBufferSlots} pool. */
export interface XBufferSlotsStats {
  count: number;
  size: number;
  available: number;
  inUse: number;
  /** The most slots ever in use at once. */
  highWater: number;
  /** How many times `acquire()` found no free slot. */
  refusals: number;
  /** Bytes allocated for slot memory right now. */
  allocatedBytes: number;
}

/**
 * The memory budget: `count` buffers of `size` bytes. With `keepAlloc` (the default) all of it is
 * allocated up front in one backing buffer and never freed; without it, a slot's buffer is allocated
 * when the slot is acquired and dropped when it is released. Acquire and release are O(1) (a stack of
 * free indexes).
 */
export class XBufferSlots {
  readonly count: number;
  readonly size: number;
  readonly keepAlloc: boolean;
  private readonly _slots: XBufferSlot[];
  private readonly _table: SlotTable;
  private readonly _free: Int32Array;
  private _freeTop: number;
  private _highWater = 0;
  private _refusals = 0;
  private _lazyBytes = 0;
  private readonly _backing: Buffer | null;

  /**
   * @param count number of slots (1 to 1,000,000)
   * @param size bytes per slot (256 to 16 MiB)
   * @param keepAlloc allocate all memory now and keep it (true), or per acquire (false)
   */
  constructor(count: number, size: number, keepAlloc = true) {
    this.count = assertInt('XBufferSlots count', count, 1, 1_000_000);
    this.size = assertInt('XBufferSlots size', size, 256, 16 * 1024 * 1024);
    if (typeof keepAlloc !== 'boolean') {
      throw new XAsyncError('ERR_XAS_INVALID_ARG', `XBufferSlots keepAlloc must be a boolean, got ${String(keepAlloc)}`);
    }
    this.keepAlloc = keepAlloc;
    // allocUnsafeSlow: a dedicated allocation outside Node's shared 8 KiB pool, so the budget is exact.
    this._backing = keepAlloc ? Buffer.allocUnsafeSlow(count * size) : null;
    this._table = { size, inUse: new Uint8Array(count), buffers: new Array<Buffer | null>(count) };
    this._slots = new Array<XBufferSlot>(count);
    this._free = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      this._table.buffers[i] = this._backing ? this._backing.subarray(i * size, (i + 1) * size) : null;
      this._slots[i] = new XBufferSlot(this._table, i);
      // Lowest index on top: slots are handed out in order, which keeps tests and dumps readable.
      this._free[i] = count - 1 - i;
    }
    this._freeTop = count;
  }

  /** Takes a free slot, or returns null (and counts a refusal) when none is free. */
  acquire(owner: unknown = null): XBufferSlot | null {
    if (this._freeTop === 0) {
      this._refusals++;
      return null;
    }
    const i = this._free[--this._freeTop];
    const slot = this._slots[i];
    this._table.inUse[i] = 1;
    slot.owner = owner;
    if (this._table.buffers[i] === null) {
      this._table.buffers[i] = Buffer.allocUnsafeSlow(this.size);
      this._lazyBytes += this.size;
    }
    const inUse = this.count - this._freeTop;
    if (inUse > this._highWater) this._highWater = inUse;
    return slot;
  }

  /** Gives a slot back. Releasing a slot that is not acquired (twice, or from another pool) throws. */
  release(slot: XBufferSlot): void {
    if (!(slot instanceof XBufferSlot) || this._slots[slot.index] !== slot || this._table.inUse[slot.index] === 0) {
      throw new XAsyncError('ERR_XAS_SLOT_NOT_ACQUIRED',
        `cannot release slot ${slot instanceof XBufferSlot ? slot.index : String(slot)}: it is not acquired from this pool (released twice?)`);
    }
    this._table.inUse[slot.index] = 0;
    slot.owner = null;
    if (!this.keepAlloc) {
      this._table.buffers[slot.index] = null;
      this._lazyBytes -= this.size;
    }
    this._free[this._freeTop++] = slot.index;
  }

  get available(): number { return this._freeTop; }
  get inUse(): number { return this.count - this._freeTop; }

  get stats(): XBufferSlotsStats {
    return {
      count: this.count,
      size: this.size,
      available: this._freeTop,
      inUse: this.count - this._freeTop,
      highWater: this._highWater,
      refusals: this._refusals,
      allocatedBytes: this._backing ? this._backing.length : this._lazyBytes,
    };
  }
}
