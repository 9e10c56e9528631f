/** Loopback ports for the benchmark servers. */
import net from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice of an ephemeral one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/**
 * Waits until something accepts connections on 127.0.0.1:`port`, trying every 50 ms; false if
 * nothing does within `timeoutMs` or `gaveUp()` says to stop (the server exited).
 */
export async function waitAccepting(port: number, timeoutMs: number, gaveUp: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    if (await tryConnect(port)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
