/* The C unit tests' one assertion: report file, line and expression, fail the test (exit 1).
   Tests return 0 on success, 1 on failure, 77 when a requirement is missing (skip).  */
#ifndef SHIM_TESTS_CHECK_H
#define SHIM_TESTS_CHECK_H

#include <stdio.h>

#define CHECK(x)                                                                                                      \
  do                                                                                                                  \
    if (!(x))                                                                                                         \
      {                                                                                                               \
        fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x);                                       \
        return 1;                                                                                                     \
      }                                                                                                               \
  while (0)

#endif
