{
  # libevent_native: the OS layer of libevent-ts (Node-API only, plain C11).
  # The backends a platform has are compiled in; backend.c lists them in libevent's preference
  # order (kqueue, epoll, poll, select).
  "targets": [
    {
      "target_name": "libevent_native",
      "product_name": "libevent_native",
      "sources": [
        "native/addon.c",
        "native/args.c",
        "native/backend.c",
        "native/clock.c",
        "native/constants.c",
        "native/fd.c",
        "native/instance.c",
        "native/io.c",
        "native/mem.c",
        "native/notify.c",
        "native/poll.c",
        "native/resolve.c",
        "native/select.c",
        "native/signal.c",
        "native/socket.c",
        "native/strerror.c",
        "native/uvloop.c"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=c11", "-Wall", "-Wextra"],
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/epoll.c", "native/io_uring.c"],
          "defines": ["_GNU_SOURCE"],
          "libraries": ["-lpthread"]
        }],
        ["OS in ('mac', 'freebsd', 'openbsd', 'netbsd')", {
          "sources": ["native/kqueue.c"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_C_LANGUAGE_STANDARD": "c11",
            "WARNING_CFLAGS": ["-Wall", "-Wextra"]
          }
        }]
      ]
    }
  ]
}
