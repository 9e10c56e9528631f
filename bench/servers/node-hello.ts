/**
 * The hello-world server with Node's `net`, for comparison: each connection gets
 * "Hello, World!\n" and is ended. Listens on 127.0.0.1; SIGINT closes it.
 *
 * node --import tsx bench/servers/node-hello.ts [-q] [PORT]   (see README.md)
 */
import net from "node:net";

const MESSAGE = "Hello, World!\n";

let port = 9995;
let quiet = false;
for (const arg of process.argv.slice(2)) {
  if (arg === "-q") quiet = true;
  else port = Number.parseInt(arg, 10);
}

const server = net.createServer((socket) => {
  socket.on("error", (err) => {
    if (!quiet) console.log(`Got an error on the connection: ${err.message}`);
  });
  if (!quiet) socket.on("finish", () => console.log("flushed answer"));
  socket.end(MESSAGE);
});

server.listen(port, "127.0.0.1");

process.on("SIGINT", () => {
  console.log("Caught an interrupt signal; exiting.");
  server.close();
  process.exit(0);
});
