/* shim/src/config.c — parse and validate the key=value lists: BOOTSTRAP
   and the NICs of CONTINUE.  */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "config.h"
#include "utils.h"

int
shim_list_push (struct shim_list *l, const char *v)
{
  char **n = realloc (l->items, (l->n + 2) * sizeof (char *));
  if (n == NULL)
    return -1;
  l->items = n;
  l->items[l->n] = strdup (v);
  if (l->items[l->n] == NULL)
    return -1;
  l->n++;
  l->items[l->n] = NULL; /* argv/envp style.  */
  return 0;
}

void
shim_list_free (struct shim_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free (l->items[i]);
  free (l->items);
  l->items = NULL;
  l->n = 0;
}

static int
set_str (char **slot, const char *key, const char *v, shim_error_t *err)
{
  if (*slot != NULL)
    return shim_make_error (err, 0, "bootstrap: key `%s` given twice", key);
  *slot = strdup (v);
  if (*slot == NULL)
    return shim_make_error (err, ENOMEM, "bootstrap: key `%s`", key);
  return 0;
}

static int
parse_uint (const char *key, const char *v, unsigned long min, unsigned long max, unsigned long *out, shim_error_t *err)
{
  char *end = NULL;
  unsigned long n;

  errno = 0;
  n = strtoul (v, &end, 10);
  if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 || n < min || n > max)
    return shim_make_error (err, 0, "bootstrap: key `%s`: bad number `%s` (%lu..%lu)", key, v, min, max);
  *out = n;
  return 0;
}

static int
parse_volume (struct shim_config *cfg, const char *v, shim_error_t *err)
{
  const char *p1 = strchr (v, '|'), *p2 = p1 ? strchr (p1 + 1, '|') : NULL;
  struct shim_volume *nv, *vol;

  if (p1 == NULL || p2 == NULL || p1 != v + 2 || (strncmp (v, "rw", 2) != 0 && strncmp (v, "ro", 2) != 0))
    return shim_make_error (err, 0, "bootstrap: volume `%s`: want rw|<src>|<dst> or ro|<src>|<dst>", v);
  if (p1[1] != '/' || p2[1] != '/')
    return shim_make_error (err, 0, "bootstrap: volume `%s`: paths must be absolute", v);
  nv = realloc (cfg->volumes, (cfg->n_volumes + 1) * sizeof (*nv));
  if (nv == NULL)
    return shim_make_error (err, ENOMEM, "bootstrap: volume");
  cfg->volumes = nv;
  vol = &cfg->volumes[cfg->n_volumes++];
  vol->readonly = v[1] == 'o';
  vol->src = strndup (p1 + 1, (size_t)(p2 - p1 - 1));
  vol->dst = strdup (p2 + 1);
  if (vol->src == NULL || vol->dst == NULL)
    return shim_make_error (err, ENOMEM, "bootstrap: volume");
  return 0;
}

static int
parse_pair (struct shim_config *cfg, const char *key, const char *v, shim_error_t *err)
{
  unsigned long n;

  if (strcmp (key, "id") == 0)
    return set_str (&cfg->id, key, v, err);
  if (strcmp (key, "name") == 0)
    return set_str (&cfg->name, key, v, err);
  if (strcmp (key, "dir") == 0)
    return set_str (&cfg->dir, key, v, err);
  if (strcmp (key, "rootfs") == 0)
    return set_str (&cfg->rootfs, key, v, err);
  if (strcmp (key, "hostname") == 0)
    return set_str (&cfg->hostname, key, v, err);
  if (strcmp (key, "uuid") == 0)
    return set_str (&cfg->uuid, key, v, err);
  if (strcmp (key, "preinit") == 0)
    return set_str (&cfg->preinit, key, v, err);
  if (strcmp (key, "cwd") == 0)
    {
      if (v[0] != '/')
        return shim_make_error (err, 0, "bootstrap: cwd `%s` is not absolute", v);
      return set_str (&cfg->cwd, key, v, err);
    }
  if (strcmp (key, "devcgroup") == 0)
    {
      if (v[0] != '/')
        return shim_make_error (err, 0, "bootstrap: devcgroup `%s` is not absolute", v);
      return set_str (&cfg->devcgroup, key, v, err);
    }
  if (strcmp (key, "freeze") == 0 || strcmp (key, "freezer") == 0)
    {
      if (v[0] != '/')
        return shim_make_error (err, 0, "bootstrap: %s `%s` is not absolute", key, v);
      if (cfg->freeze_dir != NULL)
        return shim_make_error (err, 0, "bootstrap: key `%s`: a freezer is already given", key);
      cfg->freeze_v1 = key[6] == 'r';
      return set_str (&cfg->freeze_dir, key, v, err);
    }
  if (strcmp (key, "snapshot") == 0)
    {
      if (parse_uint (key, v, 0, 1, &n, err) < 0)
        return -1;
      cfg->snapshot = n == 1;
      return 0;
    }
  if (strcmp (key, "seccomp") == 0 || strcmp (key, "tun") == 0 || strcmp (key, "unattended") == 0
      || strcmp (key, "autoexec") == 0)
    {
      if (parse_uint (key, v, 0, 1, &n, err) < 0)
        return -1;
      if (key[0] == 's')
        cfg->unconfined = n == 0;
      else if (key[0] == 't')
        cfg->tun = n == 1;
      else if (key[0] == 'u')
        cfg->unattended = n == 1;
      else
        cfg->autoexec = n == 1;
      return 0;
    }
  if (strcmp (key, "fifos") == 0)
    {
      if (parse_uint (key, v, 0, SHIM_MAX_FIFOS, &n, err) < 0)
        return -1;
      cfg->fifos = (unsigned)n;
      return 0;
    }
  if (strcmp (key, "cols") == 0 || strcmp (key, "rows") == 0)
    {
      if (parse_uint (key, v, 1, 65535, &n, err) < 0)
        return -1;
      *(key[0] == 'c' ? &cfg->cols : &cfg->rows) = (unsigned)n;
      return 0;
    }
  if (strcmp (key, "disksize") == 0)
    {
      /* 1 MiB .. 16 TiB, as vm config disk-size takes it.  */
      if (parse_uint (key, v, 1UL << 20, 16UL << 40, &n, err) < 0)
        return -1;
      cfg->disk_size = n;
      return 0;
    }
  if (strcmp (key, "scrollback") == 0)
    {
      if (parse_uint (key, v, 4096, 64UL << 20, &n, err) < 0)
        return -1;
      cfg->scrollback = n;
      return 0;
    }
  if (strcmp (key, "init") == 0 || strcmp (key, "env") == 0 || strcmp (key, "cgroup") == 0 || strcmp (key, "caps") == 0)
    {
      struct shim_list *l = key[0] == 'i'   ? &cfg->init
                            : key[0] == 'e' ? &cfg->env
                            : key[1] == 'g' ? &cfg->cgroups
                                            : &cfg->caps;
      if (l == &cfg->cgroups && v[0] != '/')
        return shim_make_error (err, 0, "bootstrap: cgroup `%s` is not absolute", v);
      if (l == &cfg->caps && shim_cap_from_name (v) < 0)
        return shim_make_error (err, 0, "bootstrap: unknown capability `%s`", v);
      if (shim_list_push (l, v) < 0)
        return shim_make_error (err, ENOMEM, "bootstrap: key `%s`", key);
      return 0;
    }
  if (strcmp (key, "volume") == 0)
    return parse_volume (cfg, v, err);
  return shim_make_error (err, 0, "bootstrap: unknown key `%s`", key);
}

int
shim_each_pair (const char *what, const char *buf, size_t len,
                int (*fn) (void *data, const char *key, const char *v, shim_error_t *err), void *data,
                shim_error_t *err)
{
  size_t off = 0;

  while (off < len)
    {
      const char *pair = buf + off;
      size_t plen = strnlen (pair, len - off);
      cleanup_free char *key = NULL;
      const char *eq;

      if (off + plen >= len)
        return shim_make_error (err, 0, "%s: last pair is not NUL-terminated", what);
      eq = memchr (pair, '=', plen);
      if (eq == NULL || eq == pair)
        return shim_make_error (err, 0, "%s: pair `%.*s` has no key=", what, (int)(plen > 64 ? 64 : plen), pair);
      key = strndup (pair, (size_t)(eq - pair));
      if (key == NULL || fn (data, key, eq + 1, err) < 0)
        return key ? -1 : shim_make_error (err, ENOMEM, "%s", what);
      off += plen + 1;
    }
  return 0;
}

static int
bootstrap_pair (void *cfg, const char *key, const char *v, shim_error_t *err)
{
  return parse_pair (cfg, key, v, err);
}

int
shim_config_parse (struct shim_config *cfg, const char *buf, size_t len, shim_error_t *err)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->cols = 80;
  cfg->rows = 24;
  cfg->scrollback = 65536;

  if (shim_each_pair ("bootstrap", buf, len, bootstrap_pair, cfg, err) < 0)
    return -1;
  if (cfg->dir == NULL || cfg->dir[0] != '/')
    return shim_make_error (err, 0, "bootstrap: `dir` missing or not absolute");
  if (strlen (cfg->dir) > 80)
    return shim_make_error (err, 0, "bootstrap: `dir` `%s` too long for a unix socket path", cfg->dir);
  if (cfg->rootfs == NULL || cfg->rootfs[0] != '/')
    return shim_make_error (err, 0, "bootstrap: `rootfs` missing or not absolute");
  if (cfg->init.n == 0 || cfg->init.items[0][0] == '\0')
    return shim_make_error (err, 0, "bootstrap: `init` missing");
  /* Unattended, init execs when thawed: only a frozen child may be handed
     EXEC before the engine has seen READY.  */
  if (cfg->unattended && cfg->freeze_dir == NULL)
    return shim_make_error (err, 0, "bootstrap: `unattended` needs `freeze` or `freezer`");
  if (cfg->autoexec && cfg->freeze_dir == NULL)
    return shim_make_error (err, 0, "bootstrap: `autoexec` needs `freeze` or `freezer`");
  if (cfg->snapshot && (strpbrk (cfg->rootfs, ",:") || strpbrk (cfg->dir, ",:")))
    return shim_make_error (err, 0, "bootstrap: overlay paths may not contain `,` or `:`");
  {
    bool have = false;
    for (size_t i = 0; i < cfg->env.n; i++)
      have |= strncmp (cfg->env.items[i], "container=", 10) == 0;
    if (!have && shim_list_push (&cfg->env, "container=nanomega") < 0)
      return shim_make_error (err, ENOMEM, "bootstrap: env");
  }
  return 0;
}

void
shim_config_free (struct shim_config *cfg)
{
  free (cfg->id);
  free (cfg->name);
  free (cfg->dir);
  free (cfg->rootfs);
  free (cfg->hostname);
  free (cfg->uuid);
  free (cfg->preinit);
  free (cfg->cwd);
  free (cfg->devcgroup);
  free (cfg->freeze_dir);
  shim_list_free (&cfg->init);
  shim_list_free (&cfg->env);
  shim_list_free (&cfg->cgroups);
  shim_list_free (&cfg->caps);
  for (size_t i = 0; i < cfg->n_volumes; i++)
    {
      free (cfg->volumes[i].src);
      free (cfg->volumes[i].dst);
    }
  free (cfg->volumes);
  memset (cfg, 0, sizeof *cfg);
}

/* The kernel's dev_valid_name: 1..15 bytes, not . or .., no / : or space.  */
static bool
valid_ifname (const char *name, size_t len)
{
  if (len == 0 || len >= sizeof ((struct shim_nic *)0)->ifname)
    return false;
  if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
    return false;
  for (size_t i = 0; i < len; i++)
    if (name[i] == '/' || name[i] == ':' || name[i] == ' ' || name[i] == '\t' || name[i] == '\n')
      return false;
  return true;
}

/* "a.b.c.d[/len]" or an IPv6 address "[/len]", as `ip addr add` takes them.  */
static int
parse_addr (struct shim_nic *nic, const char *text, shim_error_t *err)
{
  char host[INET6_ADDRSTRLEN + 1], *end = NULL;
  const char *slash = strchr (text, '/');
  size_t hlen = slash ? (size_t)(slash - text) : strlen (text);
  unsigned long max, n;

  if (hlen >= sizeof host)
    goto bad;
  memcpy (host, text, hlen);
  host[hlen] = '\0';
  nic->family = strchr (host, ':') ? AF_INET6 : AF_INET;
  max = nic->family == AF_INET ? 32 : 128;
  if (inet_pton (nic->family, host, nic->bytes) != 1)
    goto bad;
  nic->prefix = (unsigned)max;
  if (slash == NULL)
    return 0;
  errno = 0;
  n = strtoul (slash + 1, &end, 10);
  if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 || n > max)
    goto bad;
  nic->prefix = (unsigned)n;
  return 0;

bad:
  return shim_make_error (err, 0, "continue: nic `%s`: bad address `%s`", nic->ifname, text);
}

static int
nic_pair (void *data, const char *key, const char *v, shim_error_t *err)
{
  struct shim_nics *nics = data;
  const char *bar = strchr (v, '|');
  struct shim_nic *items, *nic;

  if (strcmp (key, "nic") != 0)
    return shim_make_error (err, 0, "continue: unknown key `%s`", key);
  if (bar == NULL || !valid_ifname (v, (size_t)(bar - v)))
    return shim_make_error (err, 0, "continue: nic `%s`: want <ifname>|<address or empty>", v);
  if (nics->n >= SHIM_MAX_NICS)
    return shim_make_error (err, 0, "continue: more than %d nics", SHIM_MAX_NICS);
  items = realloc (nics->items, (nics->n + 1) * sizeof *items);
  if (items == NULL)
    return shim_make_error (err, ENOMEM, "continue: nic");
  nics->items = items;
  nic = memset (&items[nics->n++], 0, sizeof *nic);
  memcpy (nic->ifname, v, (size_t)(bar - v));
  nic->addr = strdup (bar + 1);
  if (nic->addr == NULL)
    return shim_make_error (err, ENOMEM, "continue: nic");
  return nic->addr[0] == '\0' ? 0 : parse_addr (nic, nic->addr, err);
}

int
shim_nics_parse (struct shim_nics *nics, const char *buf, size_t len, shim_error_t *err)
{
  memset (nics, 0, sizeof *nics);
  return shim_each_pair ("continue", buf, len, nic_pair, nics, err);
}

void
shim_nics_free (struct shim_nics *nics)
{
  for (size_t i = 0; i < nics->n; i++)
    free (nics->items[i].addr);
  free (nics->items);
  memset (nics, 0, sizeof *nics);
}
