#include "qemu/serial_core.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace spindle::emu::qemu {
namespace {

speed_t baud_constant(unsigned baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
  }
}

}  // namespace

std::unique_ptr<FdTransport> open_serial_port(const std::string& port, unsigned baud) {
  const speed_t speed = baud_constant(baud);
  if (speed == 0)
    throw std::runtime_error("serial port " + port + ": unsupported baud rate " + std::to_string(baud) +
                             " (9600 ... 921600)");
  const int fd = ::open(port.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("serial port " + port + ": " + std::strerror(errno));
  termios t{};
  if (::tcgetattr(fd, &t) != 0) {
    const std::string e = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("serial port " + port + ": not a terminal device (" + e + ")");
  }
  // Raw bytes: no line editing, no CR/LF translation, no flow control.
  ::cfmakeraw(&t);
  t.c_cflag |= CLOCAL | CREAD;
  t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | CRTSCTS);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  ::cfsetispeed(&t, speed);
  ::cfsetospeed(&t, speed);
  if (::tcsetattr(fd, TCSANOW, &t) != 0) {
    const std::string e = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("serial port " + port + ": cannot set raw mode: " + e);
  }
  ::tcflush(fd, TCIOFLUSH);
  return std::make_unique<FdTransport>(fd, port);
}

SerialCore::SerialCore(std::string name, const std::string& port, unsigned baud, const LinkConfig& link,
                       const std::vector<uint8_t>& image)
    : name_(std::move(name)), port_(port) {
  try {
    transport_ = open_serial_port(port, baud);
  } catch (const std::exception& e) {
    throw std::runtime_error(name_ + ": " + e.what());
  }
  client_ = std::make_unique<LinkClient>(*transport_, link);
  guarded([&] {
    board_ = client_->hello().board;
    client_->load(image);
    client_->start();
    client_->status();
  });
}

template <class F>
void SerialCore::guarded(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    const CoreStatus& s = client_->last_status();
    std::string msg = name_ + " on " + describe() + ": " + e.what() + "; during " + client_->current_request() +
                      ", last known tick " + std::to_string(s.tick) + ", provenance:";
    fw::for_each_counter(s.provenance,
                         [&](const char* n, uint32_t v) { msg += " " + std::string(n) + "=" + std::to_string(v); });
    throw std::runtime_error(msg);
  }
}

void SerialCore::begin_tick(const std::vector<fw::Packet>& inbox) {
  guarded([&] { client_->begin_tick(inbox, 1); });
}

void SerialCore::end_tick(std::vector<fw::Packet>& sent, std::vector<fw::SpikeRecord>& spikes,
                          std::vector<fw::StateRecord>& states) {
  guarded([&] {
    TickOutput out = client_->finish_tick();
    sent.insert(sent.end(), out.sent.begin(), out.sent.end());
    spikes.insert(spikes.end(), out.spikes.begin(), out.spikes.end());
    states.insert(states.end(), out.states.begin(), out.states.end());
  });
}

void SerialCore::deliver(const std::vector<fw::Packet>& inbox) {
  guarded([&] {
    client_->begin_tick(inbox, 0);
    client_->finish_tick();
  });
}

}  // namespace spindle::emu::qemu
