/**
 * The echo server with Node's `net`, for comparison: whatever a connection sends is written
 * back; setNoDelay on every connection. Listens on 127.0.0.1; SIGINT closes it.
 *
 * node --import tsx bench/servers/node-echo.ts [-q] [PORT]   (see README.md)
 */
import net from "node:net";

let port = 9996;
let quiet = false;
for (const arg of process.argv.slice(2)) {
  if (arg === "-q") quiet = true;
  else port = Number.parseInt(arg, 10);
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  if (!quiet) console.log("Accepted a connection.");
  socket.on("data", (data) => socket.write(data));
  socket.on("error", (err) => console.error(`Error from socket: ${err.message}`));
  socket.on("close", () => {
    if (!quiet) console.log("Connection closed.");
  });
});

server.listen(port, "127.0.0.1");

process.on("SIGINT", () => {
  console.log("Caught an interrupt signal; exiting.");
  server.close();
  process.exit(0);
});
