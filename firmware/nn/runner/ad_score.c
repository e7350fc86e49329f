/*
 * ad_score.c - the MLPerf Tiny anomaly score of a log-mel file with the
 * anomaly-detection auto-encoder mcusim-nnc compiled in (ad_int8 or ad_f32),
 * on the host (nnc-adscore-<name>) and in mcusim (adscore-<name>-<device>.elf),
 * with the same text:
 *
 *     model ad_int8
 *     windows 196
 *     score 12.345678
 *
 * FILE holds float32 log-mel frames of 128 values (little endian), e.g.
 * models/mlperf-tiny/samples/normal_id_01_00000000_hist_librosa.bin (200
 * frames). Every window of 5 consecutive frames (640 values, the model's
 * input) is fed to the model: quantized with the input's scale and zero point
 * for an int8 model (nn_quantize_f32_s8), as floats for an FP32 one. The
 * output is dequantized (nn_dequantize_s8_f32) and the window's error is the
 * mean of the squared differences between input and output; the score is
 * the mean of the window errors (MLPerf Tiny's anomaly score; sums in double).
 *
 * Arguments: FILE [windows N] (the first N windows only). On the host from
 * argv, in firmware from the semihosting command line (mcusim run IMAGE
 * --semihost-dir DIR -- FILE windows N). Errors: one line, exit 2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcusim_nn.h"
#include NN_MODEL_HEADER

#if defined(NN_FIRMWARE)
#include "mcusim.h"
#endif

#define AD_FRAME 128
#define AD_FRAMES_PER_WINDOW 5
#define AD_WINDOW (AD_FRAME * AD_FRAMES_PER_WINDOW)
#define AD_MAX_ARGS 8

static int fail(const char *what, const char *detail)
{
    printf("ad_score: %s%s\n", what, detail);
    return 2;
}

static int ad_score(int argc, char **argv)
{
    const nn_model_t *model = &NN_MODEL;
    if (argc < 2 || (argc != 2 && argc != 4) || (argc == 4 && strcmp(argv[2], "windows") != 0)) {
        return fail("usage: ", "ad_score FILE [windows N]");
    }
    if (model->input_count != AD_WINDOW || model->output_count != AD_WINDOW) {
        return fail("the model is not the 640-value auto-encoder: ", model->name);
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        return fail("cannot open ", argv[1]);
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return fail("cannot read ", argv[1]);
    }
    long bytes = ftell(f);
    long frames = bytes / (long)(AD_FRAME * sizeof(float));
    long windows = frames - (AD_FRAMES_PER_WINDOW - 1);
    if (bytes <= 0 || bytes % (long)(AD_FRAME * sizeof(float)) != 0 || windows < 1) {
        fclose(f);
        return fail("not whole 128-value float32 frames, at least 5: ", argv[1]);
    }
    if (argc == 4) {
        long limit = strtol(argv[3], NULL, 10);
        if (limit < 1) {
            fclose(f);
            return fail("windows needs a positive number: ", argv[3]);
        }
        if (limit < windows) {
            windows = limit;
        }
    }

    static float x[AD_WINDOW];
    static float y[AD_WINDOW];
    double sum_of_errors = 0.0;
    for (long w = 0; w < windows; w++) {
        if (fseek(f, w * (long)(AD_FRAME * sizeof(float)), SEEK_SET) != 0 ||
            fread(x, sizeof(float), AD_WINDOW, f) != AD_WINDOW) {
            fclose(f);
            return fail("cannot read ", argv[1]);
        }
        if (model->input_type == NN_INT8) {
            nn_quantize_f32_s8(AD_WINDOW, x, model->input_scale, model->input_zero_point,
                               (int8_t *)model->input);
        } else {
            memcpy(model->input, x, sizeof x);
        }
        model->invoke();
        if (model->output_type == NN_INT8) {
            nn_dequantize_s8_f32(AD_WINDOW, (const int8_t *)model->output, model->output_scale,
                                 model->output_zero_point, y);
        } else {
            memcpy(y, model->output, sizeof y);
        }
        double error = 0.0;
        for (int i = 0; i < AD_WINDOW; i++) {
            double d = (double)x[i] - (double)y[i];
            error += d * d;
        }
        sum_of_errors += error / AD_WINDOW;
    }
    fclose(f);
    printf("model %s\nwindows %ld\nscore %.6f\n", model->name, windows, sum_of_errors / (double)windows);
    return 0;
}

#if defined(NN_FIRMWARE)
/* The semihosting command line, split into words (the first: the image). */
int main(void)
{
    static char cmdline[256];
    static char *argv[AD_MAX_ARGS];
    mcusim_cmdline(cmdline, sizeof cmdline);
    int argc = 0;
    for (char *s = strtok(cmdline, " \t"); s != NULL && argc < AD_MAX_ARGS; s = strtok(NULL, " \t")) {
        argv[argc++] = s;
    }
    return ad_score(argc, argv);
}
#else
int main(int argc, char **argv) { return ad_score(argc, argv); }
#endif
