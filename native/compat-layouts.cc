// The `node` compatibility provider: Node <= 18 (src/node_dtrace.h) passed pointers to these
// structs as the first args of its http probes, next to the flat string/int args, so old
// scripts read either str(arg4) or the struct fields. The structs live in thread-local
// storage (one set per thread: main and each worker), filled per fire: no malloc.
#include <v8.h>
#include "probes.gen.h"

extern "C" {
typedef struct {
  int32_t fd;
  int32_t port;
  const char* remote;
  int32_t buffered;
} node_dtrace_connection_t;

typedef struct {
  const char* url;
  const char* method;
} node_dtrace_http_client_request_t;

typedef struct {
  union {
    uint32_t version;  // 1
    uintptr_t unused;  // keeps the 64-bit layout
  } _un;
  const char* url;
  const char* method;
  const char* forwardedFor;
  const char* _pad[8];
} node_dtrace_http_server_request_t;
}

static thread_local node_dtrace_connection_t conn;
static thread_local node_dtrace_http_server_request_t server_req;
static thread_local node_dtrace_http_client_request_t client_req;

static node_dtrace_connection_t* fill_conn(const char* remote, int32_t port, int32_t fd) {
  conn.fd = fd;
  conn.port = port;
  conn.remote = remote;
  conn.buffered = 0;
  return &conn;
}

void sonde_compat_node_gc__start(const sonde_args_node_gc__start* a) {
  sonde_site_node_gc__start(a->type, a->flags, v8::Isolate::GetCurrent());
}

void sonde_compat_node_gc__done(const sonde_args_node_gc__done* a) {
  sonde_site_node_gc__done(a->type, a->flags, v8::Isolate::GetCurrent());
}

void sonde_compat_node_http__server__request(const sonde_args_node_http__server__request* a) {
  server_req._un.unused = 0;
  server_req._un.version = 1;
  server_req.url = a->url;
  server_req.method = a->method;
  server_req.forwardedFor = "";
  sonde_site_node_http__server__request(&server_req, fill_conn(a->remote, a->port, a->fd), a->remote, a->port, a->method, a->url, a->fd);
}

void sonde_compat_node_http__server__response(const sonde_args_node_http__server__response* a) {
  sonde_site_node_http__server__response(fill_conn(a->remote, a->port, a->fd), a->remote, a->port, a->fd);
}

void sonde_compat_node_http__client__request(const sonde_args_node_http__client__request* a) {
  client_req.url = a->url;
  client_req.method = a->method;
  sonde_site_node_http__client__request(&client_req, fill_conn(a->remote, a->port, a->fd), a->remote, a->port, a->method, a->url, a->fd);
}

void sonde_compat_node_http__client__response(const sonde_args_node_http__client__response* a) {
  sonde_site_node_http__client__response(fill_conn(a->remote, a->port, a->fd), a->remote, a->port, a->fd);
}
