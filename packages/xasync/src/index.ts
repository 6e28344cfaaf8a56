/**
 * @microwebsrv/xasync — XAsyncSockets for Node: a pool of pre-allocated buffer slots driving
 * non-blocking TCP servers, TCP clients and UDP datagrams. It knows nothing of HTTP.
 */
export { XAsyncSocketsPool, type XAsyncSocketsPoolOptions, type XAsyncSocketsPoolStats } from './pool';
export { XBufferSlot, XBufferSlots, type XBufferSlotsStats } from './buffer-slots';
export { XAsyncTCPServer, type XAsyncTCPServerOptions, type XAsyncTCPServerStats } from './tcp-server';
export { XAsyncTCPClient, type RawReceiver } from './tcp-client';
export { type XAsyncTCPClientOptions } from './tcp-client-options';
export { XAsyncUDPDatagram, type XAsyncUDPDatagramOptions } from './udp-datagram';
export { XAsyncSocket } from './socket';
export { type PoolMember } from './pool-member';
export { XClosedReason } from './closed-reason';
export { XAsyncError, XAsyncErrorCodes, type XAsyncErrorCode } from './errors';
export { type XAddress, type XAddressLike } from './address';
export { type XSSLOptions } from './tls-upgrade';
export { CoarseTimer, Timed, TimerEntry } from './coarse-timer';
