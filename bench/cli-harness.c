/* bench/cli-harness.c — time one whole process: `cli-harness [-i FILE] CMD ARGS...` spawns CMD
   (stdout to /dev/null, stdin from FILE or /dev/null), waits, and prints the wall time in ms and the
   exit status. bench/cli.ts calls it once per sample so that every variant is timed the same way,
   without Node's own spawn cost inside the measurement.  */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int
main (int argc, char **argv)
{
  const char *in = "/dev/null";
  posix_spawn_file_actions_t fa;
  struct timespec t0, t1;
  int i = 1, status;
  pid_t pid;

  if (argc > 2 && strcmp (argv[1], "-i") == 0)
    {
      in = argv[2];
      i = 3;
    }
  if (i >= argc)
    return 2;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 0, in, O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
  clock_gettime (CLOCK_MONOTONIC, &t0);
  if (posix_spawnp (&pid, argv[i], &fa, NULL, argv + i, environ) != 0)
    return 1;
  waitpid (pid, &status, 0);
  clock_gettime (CLOCK_MONOTONIC, &t1);
  printf ("%.3f %d\n", (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
          WIFEXITED (status) ? WEXITSTATUS (status) : 128);
  return 0;
}
