/* SPDX-License-Identifier: MIT */
/* Tests of src/common: error formatting, the JSON writer, staged atomic output files. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "dms.h"
#include "dms_fs.h"
#include "dms_json.h"
#include "dms_jread.h"

static void test_error_format(void)
{
    struct dms_error e;
    char buf[600];
    dms_error_clear(&e);
    dms_error_set(&e, DMS_EINVAL, "bad value %d", 7);
    snprintf(e.file, sizeof e.file, "a.yaml");
    e.line = 3;
    e.column = 5;
    snprintf(e.path, sizeof e.path, "nics[0].name");
    CHECK_STR(dms_error_format(&e, buf, sizeof buf), "a.yaml:3:5: nics[0].name: bad value 7");
    dms_error_clear(&e);
    dms_error_set(&e, DMS_EFORMAT, "truncated");
    snprintf(e.file, sizeof e.file, "x.pcap");
    e.record = 18;
    e.offset = 3695;
    CHECK_STR(dms_error_format(&e, buf, sizeof buf), "x.pcap: record 18: offset 3695: truncated");
    CHECK_EQ(e.code, DMS_EFORMAT);
}

static void test_json(void)
{
    dms_jw *w = dms_jw_new();
    dms_jw_obj_begin(w, NULL);
    dms_jw_str(w, "name", "a\"b\\c\n");
    dms_jw_int(w, "neg", -5);
    dms_jw_uint(w, "big", UINT64_MAX);
    dms_jw_double(w, "half", 0.5);
    dms_jw_double(w, "whole", 3.0);
    dms_jw_double(w, "nan", NAN);
    dms_jw_arr_begin(w, "list");
    dms_jw_bool(w, NULL, true);
    dms_jw_null(w, NULL);
    dms_jw_arr_end(w);
    dms_jw_arr_begin(w, "empty");
    dms_jw_arr_end(w);
    dms_jw_obj_end(w);
    size_t len;
    const char *s = dms_jw_data(w, &len);
    const char *want = "{\n"
                       "  \"name\": \"a\\\"b\\\\c\\n\",\n"
                       "  \"neg\": -5,\n"
                       "  \"big\": 18446744073709551615,\n"
                       "  \"half\": 0.5,\n"
                       "  \"whole\": 3.0,\n"
                       "  \"nan\": null,\n"
                       "  \"list\": [\n"
                       "    true,\n"
                       "    null\n"
                       "  ],\n"
                       "  \"empty\": []\n"
                       "}\n";
    CHECK_STR(s, want);
    CHECK_EQ(len, strlen(want));
    dms_jw_free(w);
}

static void test_stage(void)
{
    char dir[] = "/tmp/dms_common_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char sub[256], a[300], b[300];
    snprintf(sub, sizeof sub, "%s/x/y", dir);
    CHECK_EQ(dms_mkdir_p(sub, NULL), 0);
    snprintf(a, sizeof a, "%s/a.txt", sub);
    snprintf(b, sizeof b, "%s/b.txt", sub);

    /* aborted stage leaves nothing behind */
    dms_stage *s = dms_stage_new();
    CHECK_EQ(dms_stage_add(s, a, "one", 3, NULL), 0);
    dms_stage_free(s);
    CHECK(access(a, F_OK) != 0);

    /* committed stage puts both files in place */
    s = dms_stage_new();
    CHECK_EQ(dms_stage_add(s, a, "one", 3, NULL), 0);
    CHECK_EQ(dms_stage_add(s, b, "two", 3, NULL), 0);
    CHECK(access(a, F_OK) != 0);
    CHECK_EQ(dms_stage_commit(s, NULL), 0);
    dms_stage_free(s);
    char *data;
    size_t len;
    CHECK_EQ(dms_read_file(b, &data, &len, NULL), 0);
    CHECK_STR(data, "two");
    free(data);

    /* a file in a missing folder fails cleanly */
    struct dms_error e;
    dms_error_clear(&e);
    char bad[300];
    snprintf(bad, sizeof bad, "%s/missing/c.txt", dir);
    CHECK_EQ(dms_write_file_atomic(bad, "x", 1, &e), DMS_EIO);
    CHECK_STR(e.file, bad);
    CHECK_EQ(dms_read_file(bad, &data, &len, &e), DMS_ENOENT);

    unlink(a);
    unlink(b);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/x", dir);
    rmdir(sub);
    rmdir(dir);
}

static void test_staging_names(void)
{
    CHECK(dms_is_staging_name("result.json.tmp.Ab12Cd", "result.json"));
    CHECK(dms_is_staging_name("result.json.tmp.Ab12Cd", NULL));
    CHECK(dms_is_staging_name("key=1,b=2.tmp.zzzzzz", NULL));
    CHECK(!dms_is_staging_name("result.json.tmp.Ab12Cd", "result.csv"));
    CHECK(!dms_is_staging_name("result.json.tmp.Ab12C", NULL));    /* five characters */
    CHECK(!dms_is_staging_name("result.json.tmp.Ab12C-", NULL));   /* not the alphabet */
    CHECK(!dms_is_staging_name("notes.tmp.txt", NULL));
    CHECK(!dms_is_staging_name(".tmp.Ab12Cd", NULL));              /* no name */
    CHECK(!dms_is_staging_name("a.tmp.Ab12Cd.json", NULL));
    CHECK(!dms_is_staging_name("result.json.tmp.Ab12Cd", "result")); /* a prefix of the name */
    CHECK(!dms_is_staging_name("x=a.tmp.b,y=1", NULL)); /* a point folder with ".tmp." in it */
}

static void test_jread(void)
{
    // what the writer writes, the reader reads back
    dms_jw *w = dms_jw_new();
    dms_jw_obj_begin(w, NULL);
    dms_jw_str(w, "s", "a\"b\\c\n\x01\xc3\xa9");
    dms_jw_arr_begin(w, "a");
    dms_jw_double(w, NULL, 1.5e-7);
    dms_jw_int(w, NULL, -42);
    dms_jw_bool(w, NULL, true);
    dms_jw_null(w, NULL);
    dms_jw_arr_end(w);
    dms_jw_obj_begin(w, "o");
    dms_jw_obj_end(w);
    dms_jw_obj_end(w);
    size_t len;
    const char *text = dms_jw_data(w, &len);
    dms_jv *v;
    struct dms_error err;
    dms_error_clear(&err);
    CHECK_EQ(dms_jv_parse(text, len, &v, &err), 0);
    CHECK_STR(dms_jv_str(dms_jv_get(v, "s")), "a\"b\\c\n\x01\xc3\xa9");
    CHECK_NEAR(dms_jv_num(dms_jv_path(v, "a.0")), 1.5e-7, 1e-20);
    CHECK_NEAR(dms_jv_num(dms_jv_path(v, "a.1")), -42, 0);
    CHECK(dms_jv_path(v, "a.2")->type == DMS_JBOOL && dms_jv_path(v, "a.2")->b);
    CHECK(dms_jv_path(v, "a.3")->type == DMS_JNULL);
    CHECK(isnan(dms_jv_num(dms_jv_path(v, "a.3"))));
    CHECK(dms_jv_path(v, "a.4") == NULL);
    CHECK(dms_jv_get(v, "o")->type == DMS_JOBJ && dms_jv_get(v, "o")->n == 0);
    dms_jv_free(v);
    dms_jw_free(w);
    CHECK_EQ(dms_jv_parse("\"\\ud83d\\ude00\"", 14, &v, &err), 0);
    CHECK_STR(dms_jv_str(v), "\xf0\x9f\x98\x80");
    dms_jv_free(v);
    // errors name line and column
    static const struct {
        const char *text;
        int line, col;
    } bad[] = {
        {"{\"a\": 1,\n  \"b\" 2}", 2, 7}, {"[1, 2", 1, 6}, {"\"abc", 1, 2},
        {"{\"a\": tru}", 1, 7}, {"1 2", 1, 3}, {"[-]", 1, 2}, {"", 1, 1},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(bad); i++) {
        dms_error_clear(&err);
        CHECK_EQ(dms_jv_parse(bad[i].text, strlen(bad[i].text), &v, &err), DMS_EFORMAT);
        CHECK(v == NULL);
        CHECK_EQ(err.line, bad[i].line);
        CHECK_EQ(err.column, bad[i].col);
    }
    char deep[400];
    memset(deep, '[', sizeof deep);
    CHECK_EQ(dms_jv_parse(deep, sizeof deep, &v, &err), DMS_EFORMAT);
}

int main(void)
{
    test_error_format();
    test_json();
    test_jread();
    test_stage();
    test_staging_names();
    printf("test_common: ok\n");
    return 0;
}
