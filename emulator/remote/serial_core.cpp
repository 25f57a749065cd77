#include "remote/serial_core.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace spindle::emu::remote {
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
    : LinkedCore(std::move(name)), port_(port) {
  try {
    transport_ = open_serial_port(port, baud);
  } catch (const std::exception& e) {
    throw std::runtime_error(this->name() + ": " + e.what());
  }
  connect(*transport_, link);
  boot_core(image);
}

}  // namespace spindle::emu::remote
