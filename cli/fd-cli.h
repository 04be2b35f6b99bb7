/* fd-cli.h — what the files of fleetdesk-cli share: the command table's types, the parsed
 * command line, and the functions each file offers the others.
 *
 * The command table (fd-cli-commands.c) is the one description of the CLI: the parser, the help
 * text, the bash completion script and the requests sent to the server are all derived from it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FD_CLI_PROGRAM "fleetdesk-cli"
#define FD_CLI_DEFAULT_URL "http://127.0.0.1:7080"
#define FD_CLI_API_PREFIX "/api/v1"

enum
{
  FD_CLI_EXIT_OK = 0,
  FD_CLI_EXIT_FAILURE = 1, /* the API said no, or could not be reached */
  FD_CLI_EXIT_USAGE = 2,   /* the command line is wrong */
};

/* Bounds on what the command line and the environment may carry, checked once by the parser
 * (fd-cli-parse.c) and the endpoint resolver (fd-cli-config.c). Names and descriptions follow
 * docs/rest-api.md; the rest keep a typo from becoming a huge request. */
#define FD_CLI_MAX_ARG_BYTES 4096
#define FD_CLI_MAX_ID_BYTES 64
#define FD_CLI_MAX_NAME_CHARS 100
#define FD_CLI_MAX_DESCRIPTION_CHARS 1000
#define FD_CLI_MAX_ACTION_BYTES 64
#define FD_CLI_MAX_FROM G_MAXINT32
#define FD_CLI_MAX_PAGE_SIZE 1000
#define FD_CLI_MAX_REPEAT 64
#define FD_CLI_MAX_URL_BYTES 2048
#define FD_CLI_MAX_TOKEN_BYTES 512
/* Bounds on what comes back from the network or the data directory. */
#define FD_CLI_MAX_RESPONSE_BYTES (32 * 1024 * 1024)
#define FD_CLI_MAX_DATA_FILE_BYTES (64 * 1024)
#define FD_CLI_TIMEOUT_SECONDS 30

#define FD_CLI_ERROR (fd_cli_error_quark ())
GQuark fd_cli_error_quark (void);

typedef enum
{
  FD_CLI_ERROR_USAGE,        /* the command line (or an environment variable) is wrong */
  FD_CLI_ERROR_API,          /* the server answered with an error */
  FD_CLI_ERROR_UNAUTHORIZED, /* the server refused the token */
  FD_CLI_ERROR_CONNECT,      /* the server could not be reached */
  FD_CLI_ERROR_CONFIG,       /* the data directory could not be read */
  FD_CLI_ERROR_PROTOCOL,     /* the answer is not what docs/rest-api.md promises */
  FD_CLI_ERROR_OUTPUT,       /* stdout could not be written */
} FdCliError;

/* How a value on the command line is checked (fd_cli_check_value). */
typedef enum
{
  FD_CLI_VALUE_FLAG,      /* takes no value */
  FD_CLI_VALUE_ID,        /* wks-…, flt-…: letters, digits, '-' and '_' */
  FD_CLI_VALUE_NAME,      /* UTF-8, at most FD_CLI_MAX_NAME_CHARS after trimming */
  FD_CLI_VALUE_TEXT,      /* UTF-8, at most FD_CLI_MAX_DESCRIPTION_CHARS */
  FD_CLI_VALUE_ACTION,    /* an audit action: device.create */
  FD_CLI_VALUE_OFFSET,    /* 0..FD_CLI_MAX_FROM */
  FD_CLI_VALUE_PAGE_SIZE, /* 1..FD_CLI_MAX_PAGE_SIZE */
  FD_CLI_VALUE_CHOICE,    /* one of FdCliParam.choices */
  FD_CLI_VALUE_URL,       /* http:// or https:// */
  FD_CLI_VALUE_TOKEN,     /* printable ASCII without spaces */
  FD_CLI_VALUE_DIR,       /* a directory; completed as one */
} FdCliValue;

/* Where a value goes in the request. */
typedef enum
{
  FD_CLI_TO_NOTHING, /* used by the CLI itself (global options) */
  FD_CLI_TO_PATH,    /* replaces the next "{}" in the command's path */
  FD_CLI_TO_BODY,    /* a string member of the JSON body */
  FD_CLI_TO_QUERY,   /* a query parameter; a flag sends "true" */
} FdCliTarget;

/* A positional argument (name is "NAME") or an option (name is "description" for
 * --description). */
typedef struct
{
  const char *name;
  const char *metavar; /* options only; NULL for a flag */
  FdCliValue value;
  FdCliTarget target;
  const char *key; /* body member or query parameter */
  gboolean repeatable;
  const char *const *choices; /* FD_CLI_VALUE_CHOICE: NULL-terminated */
  const char *help;           /* N_() */
} FdCliParam;

/* What the answer is and how it is shown without --json. */
typedef enum
{
  FD_CLI_SHOW_OBJECT,  /* key: value lines */
  FD_CLI_SHOW_LIST,    /* a table and a count line */
  FD_CLI_SHOW_DELETED, /* "Deleted device dev-…" */
} FdCliShow;

typedef enum
{
  FD_CLI_KIND_NONE,
  FD_CLI_KIND_WORKSPACE,
  FD_CLI_KIND_FLEET,
  FD_CLI_KIND_DEVICE,
  FD_CLI_KIND_TOKEN,
  FD_CLI_KIND_AUDIT_ENTRY,
} FdCliKind;

typedef enum
{
  FD_CLI_CELL_TEXT,
  FD_CLI_CELL_NUMBER,
  FD_CLI_CELL_BOOL,
  FD_CLI_CELL_TIME, /* RFC 3339, shown in local time */
} FdCliCell;

typedef struct
{
  const char *header; /* NC_ ("table column", …) */
  const char *member;
  FdCliCell cell;
} FdCliColumn;

typedef enum
{
  FD_CLI_FLAG_NONE = 0,
  FD_CLI_FLAG_NEEDS_CHANGE = 1 << 0, /* an update: at least one body option is required */
  FD_CLI_FLAG_SHOWS_SECRET = 1 << 1, /* the answer holds a secret shown only this once */
} FdCliFlags;

typedef struct _FdCliInvocation FdCliInvocation;

/* A verb that runs without the server; returns the exit status. */
typedef int (*FdCliLocalFunc) (const FdCliInvocation *invocation);

typedef struct
{
  const char *verb;
  const char *summary;              /* N_() */
  const FdCliParam *const *args;    /* NULL-terminated */
  const FdCliParam *const *options; /* NULL-terminated */
  const char *method;               /* NULL: a local command */
  const char *path;                 /* below /api/v1, "{}" for each TO_PATH value */
  FdCliShow show;
  const FdCliColumn *columns; /* FD_CLI_SHOW_LIST: terminated by a NULL header */
  FdCliFlags flags;
  FdCliLocalFunc local;
} FdCliCommand;

typedef struct
{
  const char *name;
  const char *summary; /* N_() */
  FdCliKind kind;
  const FdCliCommand *commands; /* terminated by a NULL verb */
} FdCliNoun;

typedef struct
{
  const FdCliParam *const *global_options; /* NULL-terminated */
  const FdCliNoun *nouns;                  /* terminated by a NULL name */
} FdCliTable;

/* fd-cli-commands.c */
extern const FdCliTable fd_cli_table;
const FdCliNoun *fd_cli_find_noun (const char *name);
const FdCliCommand *fd_cli_find_command (const FdCliNoun *noun, const char *verb);

/* fd-cli-parse.c */
struct _FdCliInvocation
{
  const FdCliNoun *noun;       /* NULL until NOUN is read */
  const FdCliCommand *command; /* NULL until VERB is read */
  GPtrArray *args;             /* the positional values after NOUN VERB */
  GHashTable *values;          /* const FdCliParam * → GPtrArray of char * */
  gboolean help;
  gboolean version;
};

FdCliInvocation *fd_cli_invocation_new (void);
void fd_cli_invocation_free (FdCliInvocation *invocation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCliInvocation, fd_cli_invocation_free)

/* Reads argv into @invocation. On a usage error returns FALSE with FD_CLI_ERROR_USAGE;
 * @invocation then holds as much as was understood, so the hint can name the right --help. */
gboolean fd_cli_parse (FdCliInvocation *invocation, int argc, char **argv, GError **error);
/* Checks @text against @param's kind of value and bounds; @label names it in the message (NULL:
 * "--name" for an option, "NAME" for an argument). */
gboolean fd_cli_check_value (const FdCliParam *param, const char *label, const char *text,
                             GError **error);
/* The last value given for the global or verb option called @name, or NULL. */
const char *fd_cli_invocation_get (const FdCliInvocation *invocation, const char *name);
gboolean fd_cli_invocation_has (const FdCliInvocation *invocation, const char *name);

/* fd-cli-help.c */
void fd_cli_print_help (const FdCliInvocation *invocation);
/* "fleetdesk-cli device --help", naming the deepest level @invocation reached. */
char *fd_cli_help_hint (const FdCliInvocation *invocation);

/* fd-cli-completion.c */
/* The bash completion script, generated from fd_cli_table. */
char *fd_cli_completion_bash (void);
int fd_cli_completion_run (const FdCliInvocation *invocation);

/* fd-cli-config.c */
typedef struct
{
  char *url;   /* without a trailing '/' */
  char *token; /* NULL: none */
} FdCliEndpoint;

void fd_cli_endpoint_clear (FdCliEndpoint *endpoint);
/* Decides the server URL and token from --server/--token/--data-dir, the environment and the
 * default data directory (see fleetdesk-cli --help). */
gboolean fd_cli_endpoint_resolve (const FdCliInvocation *invocation, FdCliEndpoint *endpoint,
                                  GError **error);

/* fd-cli-http.c */
/* Sends @method to @endpoint's API at @path_and_query (below /api/v1) with @json_body (or none).
 * A 2xx answer returns TRUE and its body (possibly empty); anything else returns FALSE with
 * FD_CLI_ERROR_API / _UNAUTHORIZED carrying the API's message and code, _CONNECT when the server
 * cannot be reached, or _PROTOCOL. */
gboolean fd_cli_http_send (const FdCliEndpoint *endpoint, const char *method,
                           const char *path_and_query, const char *json_body, GBytes **body_out,
                           GError **error);

/* fd-cli-output.c */
/* Prints the API's answer to @invocation's command as a person reads it: a table, key: value
 * lines or a confirmation; with --json the body unchanged. */
gboolean fd_cli_output_show (const FdCliInvocation *invocation, GBytes *body, GError **error);
/* Writes @len bytes of @text to stdout, checking for errors. */
gboolean fd_cli_output_write (const char *text, gsize len, GError **error);
/* A copy of @text that is valid UTF-8 without control characters, safe for a terminal. */
char *fd_cli_output_printable (const char *text);

G_END_DECLS
