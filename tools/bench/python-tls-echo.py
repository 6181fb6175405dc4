#!/usr/bin/env python3
"""python-tls-echo.py: a reference for the TLS echo benchmark: an echo
server in Python's asyncio with its ssl module (OpenSSL), the way one
writes it in a few lines. Prints the port it listens on (127.0.0.1).

    python3 tools/bench/python-tls-echo.py CERT KEY
"""
import asyncio
import ssl
import sys


async def echo(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=context)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
