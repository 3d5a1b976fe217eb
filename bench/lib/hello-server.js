// The ceiling: a bare node:http "hello" on loopback, run as its own process so that it does not
// share an event loop with the load generator. Prints "ready" once listening.
import http from "node:http";

const port = Number(process.env.PORT ?? 0);
const body = Buffer.from("hello world\n");

const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": body.length });
  res.end(body);
});
server.listen(port, "127.0.0.1", () => console.log("ready"));

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
