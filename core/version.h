/* core/version.h: the one place the version number lives. */
#ifndef SX_VERSION_H
#define SX_VERSION_H
#define SX_VERSION "0.1.0"
#endif
