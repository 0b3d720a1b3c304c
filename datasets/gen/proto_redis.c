#include <string.h>

#include "buf.h"
#include "proto.h"

void resp_command(struct buf *b, int argc, const char *const *argv) {
  buf_fmt(b, "*%d\r\n", argc);
  for (int i = 0; i < argc; i++)
    buf_fmt(b, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
}

void resp_command_value(struct buf *b, struct rng *r, const char *cmd,
                        const char *key, size_t n) {
  buf_fmt(b, "*3\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n$%zu\r\n", strlen(cmd), cmd,
          strlen(key), key, n);
  content_json(b, r, n);
  buf_str(b, "\r\n");
}

void resp_bulk_json(struct buf *b, struct rng *r, size_t n) {
  buf_fmt(b, "$%zu\r\n", n);
  content_json(b, r, n);
  buf_str(b, "\r\n");
}

void resp_simple(struct buf *b, const char *s) { buf_fmt(b, "+%s\r\n", s); }
