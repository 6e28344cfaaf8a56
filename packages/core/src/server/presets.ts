/**
 * MicroWebSrv2's presets, numbers kept: backlog / slots / slot size / max request content.
 * The slot pool is the memory budget: bufferSlotsCount × bufferSlotSize bytes, and as many live connections.
 */
export interface PresetValues {
  connQueueCapacity: number;
  bufferSlotsCount: number;
  bufferSlotSize: number;
  keepAllocBufferSlots: boolean;
  maxRequestContentLength: number;
}

export const PRESETS = {
  Embedded: { connQueueCapacity: 8, bufferSlotsCount: 16, bufferSlotSize: 1024, keepAllocBufferSlots: true, maxRequestContentLength: 16 * 1024 },
  Light: { connQueueCapacity: 64, bufferSlotsCount: 128, bufferSlotSize: 1024, keepAllocBufferSlots: true, maxRequestContentLength: 512 * 1024 },
  Normal: { connQueueCapacity: 256, bufferSlotsCount: 512, bufferSlotSize: 4 * 1024, keepAllocBufferSlots: true, maxRequestContentLength: 2 * 1024 * 1024 },
  Large: { connQueueCapacity: 512, bufferSlotsCount: 2048, bufferSlotSize: 16 * 1024, keepAllocBufferSlots: true, maxRequestContentLength: 8 * 1024 * 1024 },
} as const satisfies Record<string, PresetValues>;

export type PresetName = keyof typeof PRESETS;
