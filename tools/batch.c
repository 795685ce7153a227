// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss-ctl -b FILE: the commands of FILE, one a line, as "ip -batch" runs
 * them, in the grammar of the command line without "l2tpss-ctl":
 *
 *	# comment
 *	defaults set idle-timeout 120
 *	-n blue profile replace clients peer 10.0.0.0/8 single-shot on
 *
 * A line may start with "-n NETNS"; the others run in the netns of -n on
 * the command line, or in l2tpss-ctl's own. Words are separated by blanks;
 * "#" at the start of a word begins a comment; a word in double quotes may
 * hold blanks, with \" and \\ inside; a "\" at the end of a line (not of a
 * comment) joins the next one.
 *
 * Every line is checked first (words, values, netns names), with nothing
 * sent; only if all are good are they applied, in order. A line the kernel
 * refuses then stops the batch, and the message says how many commands
 * before it were applied.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "l2tpss-ctl.h"

/* Words of a line longer than this are not a command of l2tpss-ctl. */
#define MAX_WORDS	64

struct line {
	unsigned int number;	/* of its first physical line */
	const char *netns;	/* its -n, or NULL */
	int argc;
	char **argv;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Splits @text in place into @l's words; exits on a malformed line. */
static void split(char *text, struct line *l)
{
	char *in = text, *out, *word;

	l->argv = calloc(MAX_WORDS + 1, sizeof(*l->argv));
	if (!l->argv)
		fail(EXIT_FAIL, "out of memory");
	for (;;) {
		while (blank(*in))
			in++;
		if (!*in || *in == '#')
			break;
		if (l->argc == MAX_WORDS)
			fail(EXIT_USAGE, "more than %d words", MAX_WORDS);
		word = out = in;
		if (*in == '"') {
			for (in++; *in != '"'; in++) {
				if (!*in)
					fail(EXIT_USAGE, "a quote is not closed");
				if (*in == '\\' && (in[1] == '"' || in[1] == '\\'))
					in++;
				*out++ = *in;
			}
			in++;
			if (*in && !blank(*in))
				fail(EXIT_USAGE, "a closing quote must end its word");
		} else {
			while (*in && !blank(*in))
				*out++ = *in++;
		}
		if (*in)
			in++;
		*out = 0;
		l->argv[l->argc++] = word;
	}
}

/*
 * Whether @text ends with a "\" that joins the next line: not in a comment
 * (a "# ... \" ends with its line, as in ip -batch) nor in quotes.
 */
static bool joins_next(const char *text)
{
	bool word = false, quoted = false;
	const char *c;

	for (c = text; *c; c++) {
		if (quoted) {
			if (*c == '\\' && c[1])
				c++;
			else if (*c == '"')
				quoted = false;
		} else if (blank(*c)) {
			word = false;
		} else if (*c == '#' && !word) {
			return false;
		} else {
			word = true;
			quoted = *c == '"';
		}
	}
	return !quoted && c > text && c[-1] == '\\';
}

/* Reads @f into lines that have words; joins lines that end with "\". */
static struct line *read_lines(FILE *f, size_t *count)
{
	struct line *lines = NULL, *l;
	char *buf = NULL, *text = NULL;
	size_t size = 0, len, have = 0;
	unsigned int number = 0, first = 0;
	ssize_t n;

	*count = 0;
	while ((n = getline(&buf, &size, f)) >= 0) {
		number++;
		if (memchr(buf, 0, n)) {
			batch.line = number;
			fail(EXIT_USAGE, "a NUL byte in the line");
		}
		len = n;
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		if (!text)
			first = number;
		text = realloc(text, have + len + 2);
		if (!text)
			fail(EXIT_FAIL, "out of memory");
		memcpy(text + have, buf, len);
		have += len;
		text[have] = 0;
		if (joins_next(text)) {
			text[have - 1] = ' ';
			continue;
		}
		lines = reallocarray(lines, *count + 1, sizeof(*lines));
		if (!lines)
			fail(EXIT_FAIL, "out of memory");
		l = &lines[*count];
		memset(l, 0, sizeof(*l));
		l->number = first;
		batch.line = first;
		split(text, l);
		batch.line = 0;
		if (l->argc)
			(*count)++;
		else
			free(l->argv);
		text = NULL;	/* the words point into it */
		have = 0;
	}
	if (ferror(f))
		fail(EXIT_FAIL, "%s: %s", batch.file, strerror(errno));
	if (text) {
		batch.line = first;
		fail(EXIT_USAGE, "a \"\\\" at the end of the file joins no line");
	}
	free(buf);
	return lines;
}

/* Takes a line's own "-n NETNS"; no other option may start a line. */
static void line_options(struct line *l)
{
	if (l->argv[0][0] != '-')
		return;
	if (!matches(l->argv[0], "-n") && !matches(l->argv[0], "--netns"))
		fail(EXIT_USAGE, "\"%s\": a line may start with -n NETNS, no other option",
		     l->argv[0]);
	if (l->argc < 2)
		fail(EXIT_USAGE, "-n needs a network namespace name");
	if (l->argc < 3)
		fail(EXIT_USAGE, "-n %s: no command follows", l->argv[1]);
	l->netns = l->argv[1];
	l->argc -= 2;
	l->argv += 2;
}

static bool same_netns(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int batch_run(const char *file)
{
	const char *dflt = opts.netns, *here = opts.netns, *want;
	struct line *lines;
	int out, null;
	size_t count, i;
	FILE *f;

	batch.file = matches(file, "-") ? "(stdin)" : file;
	f = matches(file, "-") ? stdin : fopen(file, "re");
	if (!f)
		fail(EXIT_FAIL, "cannot open %s: %s", file, strerror(errno));
	lines = read_lines(f, &count);
	if (f != stdin)
		fclose(f);

	/* First pass: every line makes its request; nothing is sent. */
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (out < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0)
		fail(EXIT_FAIL, "cannot silence the check: %s", strerror(errno));
	close(null);
	opts.dry_run = true;
	for (i = 0; i < count; i++) {
		batch.line = lines[i].number;
		line_options(&lines[i]);
		if (matches(lines[i].argv[0], "monitor"))
			fail(EXIT_USAGE, "monitor does not end: run it on its own");
		if (lines[i].netns)
			netns_check(lines[i].netns);
		run_command(lines[i].argc, lines[i].argv);
	}
	opts.dry_run = false;
	fflush(stdout);
	if (dup2(out, STDOUT_FILENO) < 0)
		fail(EXIT_FAIL, "cannot restore the output: %s", strerror(errno));
	close(out);

	/* Second pass: in order; a refusal stops it (fail() says where). */
	for (i = 0; i < count; i++) {
		batch.line = lines[i].number;
		want = lines[i].netns ? lines[i].netns : dflt;
		if (!same_netns(want, here)) {
			netns_enter(want);
			here = want;
		}
		opts.netns = want;	/* for save's "-n NETNS" */
		run_command(lines[i].argc, lines[i].argv);
		batch.applied++;
	}
	batch.line = 0;
	return 0;
}

/* @word as save prints it: in double quotes when it would not read back. */
void print_word(const char *word)
{
	const char *c;

	if (*word && *word != '#' && !strpbrk(word, " \t\r\n\"\\") &&
	    *word != '-') {
		fputs(word, stdout);
		return;
	}
	putchar('"');
	for (c = word; *c; c++) {
		if (*c == '"' || *c == '\\')
			putchar('\\');
		putchar(*c);
	}
	putchar('"');
}
