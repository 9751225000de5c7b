// trigo stand-in for Xilinx's <hls_stream.h>: hls::stream<T> as an unbounded
// FIFO for C simulation (UG1399, "HLS Stream Library": read(), write(),
// empty(), size(), operators >> and <<). Reading an empty stream aborts with a
// message instead of blocking.
#ifndef TRIGO_HLS_STREAM_H
#define TRIGO_HLS_STREAM_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <deque>
#include <string>

namespace hls {

template <class T>
class stream {
 public:
  stream() : name_("hls::stream") {}
  explicit stream(const char *name) : name_(name) {}

  T read() {
    if (q_.empty()) {
      fprintf(stderr, "hls::stream '%s': read from an empty stream\n", name_.c_str());
      abort();
    }
    T v = q_.front();
    q_.pop_front();
    return v;
  }
  void read(T &v) { v = read(); }
  void operator>>(T &v) { v = read(); }
  void write(const T &v) { q_.push_back(v); }
  void operator<<(const T &v) { write(v); }
  bool empty() const { return q_.empty(); }
  bool full() const { return false; }
  size_t size() const { return q_.size(); }

 private:
  stream(const stream &);
  stream &operator=(const stream &);
  std::deque<T> q_;
  std::string name_;
};

}  // namespace hls

#endif  // TRIGO_HLS_STREAM_H
