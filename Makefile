# SPDX-License-Identifier: GPL-2.0
# tdvtrace: BPF objects -> skeletons -> one static binary; tests in a guest.

OUTPUT ?= .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PREFIX ?= /usr/local
ARCH := x86
# The kernels the guest suite runs on: the installed Debian cloud kernel
# (KRELEASE, 6.1) and bookworm-backports' cloud kernel, which
# scripts/fetch-kernel.sh unpacks into $(OUTPUT)/kernels/ without installing
# it. Everything built for a kernel goes to $(OUTPUT)/kernels/RELEASE/.
KRELEASE ?= $(shell scripts/kernel-release.sh 2>/dev/null)
KRELEASE_612 := 6.12.95+deb12-cloud-amd64
KERNELS := $(sort $(KRELEASE) $(KRELEASE_612))
# The kernel kmod, vmtest and demo use: a release, or 6.12 for KRELEASE_612.
KERNEL ?= $(KRELEASE)
override KERNEL := $(if $(filter 6.12,$(KERNEL)),$(KRELEASE_612),$(KERNEL))
kout = $(OUTPUT)/kernels/$(1)
# The installed kernel is in /boot, /lib/modules and /usr/src; others in
# their own unpacked tree.
kroot = $(if $(filter $(KRELEASE),$(1)),,$(abspath $(call kout,$(1)))/root)
kvmlinuz = $(call kroot,$(1))/boot/vmlinuz-$(1)
kheaders = $(call kroot,$(1))/usr/src/linux-headers-$(1)
kmodules = $(call kroot,$(1))/lib/modules/$(1)
kfetch = $(if $(call kroot,$(1)),$(Q)scripts/fetch-kernel.sh $(1) $(call kout,$(1)))
KO = $(call kout,$(1))/kmod/tdvsim.ko
# The same simulator with the driver's static trans_devid_alloc/free inlined.
KO_INLINE = $(call kout,$(1))/kmod-inline/tdvsim.ko
KO_REV = $(foreach m,pervi reloc vmm sig field,\
	$(call kout,$(1))/kmod-rev/tdvrev_$(m).ko:/lib/rev/tdvrev_$(m).ko)

CFLAGS ?= -g -O2
WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
INCLUDES := -I$(OUTPUT) -Ibpf -Iuser
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Ivmlinux/$(ARCH) -Ibpf
# Static so it runs in a bare initramfs and copies to any host.
STATIC_LIBS := -static -lbpf -ldw -lelf -lz -llzma -lbz2 -lzstd

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
# Everything but main(): what the unit tests link against.
LIB_SRCS := $(filter-out user/tdvtrace.c user/cmd_%.c user/session.c user/live.c user/discover.c,$(USER_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/unit/%,$(UNIT_SRCS))
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all deps unit kmod vmtest vmtest-6.1 vmtest-6.12 vmtest-inline check demo install clean format
.DELETE_ON_ERROR:
.SECONDARY:

all: $(OUTPUT)/tdvtrace

deps:
	$(Q)scripts/deps.sh

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/unit:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) vmlinux/$(ARCH)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(OUTPUT)/user/%.o: user/%.c $(SKELS) | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARNINGS) $(INCLUDES) -MMD -MP -c $< -o $@

$(OUTPUT)/tdvtrace: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(STATIC_LIBS) -o $@

$(OUTPUT)/unit/%: tests/unit/%.c $(LIB_SRCS) | $(OUTPUT)/unit
	$(call msg,CC-UNIT,$@)
	$(Q)$(CC) -g -O1 $(SANITIZE) $(WARNINGS) $(INCLUDES) $< $(LIB_SRCS) \
		-lcmocka -ljson-c -lbpf -ldw -lelf -lz -o $@

unit: $(UNIT_BINS)
	$(Q)set -e; for t in $(UNIT_BINS); do \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; \
	done

# test_capture writes the sample timelines (JSON first, SVG last).
.PHONY: render-check
$(OUTPUT)/unit/samples/timeline.svg: $(OUTPUT)/unit/test_capture
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $<

render-check: $(OUTPUT)/unit/samples/timeline.svg
	$(call msg,RENDER,$(OUTPUT)/unit/samples)
	$(Q)tests/render/check_outputs.sh $(OUTPUT)/unit/samples

# Fuzzing with libFuzzer (tests/fuzz/README): fuzz_recfile the recording
# reader, fuzz_report the whole of `report` (reader, feed, model, every
# writer) with its JSON parsed by json-c and its SVG by expat, both linked
# statically into that binary alone. Both under ASan and UBSan, with limits
# on an input's time and the process's memory.
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_CC ?= clang
FUZZ_LIB := user/recfile_read.c user/recfile_write.c user/recfile_codec.c user/event_format.c user/json.c user/grow.c user/safe_file.c user/text_escape.c
FUZZ_DEPS := $(FUZZ_LIB) $(wildcard user/*.h bpf/*.h tests/fuzz/*.h)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := recfile report
FUZZ_BIN = $(OUTPUT)/fuzz/fuzz_$(1)
FUZZ_RUN = $(call FUZZ_BIN,$(1)) -artifact_prefix=$(OUTPUT)/fuzz/$(1)- -max_len=65536 \
	-timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/recfile.dict

.PHONY: fuzz fuzz-smoke fuzz-corpus fuzz-bins

$(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

$(call FUZZ_BIN,recfile): tests/fuzz/fuzz_recfile.c $(FUZZ_DEPS) | $(OUTPUT)/fuzz
	$(call msg,CC-FUZZ,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(WARNINGS) $(INCLUDES) $< $(FUZZ_LIB) -lz -o $@

$(call FUZZ_BIN,report): tests/fuzz/fuzz_report.c $(LIB_SRCS) $(FUZZ_DEPS) | $(OUTPUT)/fuzz
	$(call msg,CC-FUZZ,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(WARNINGS) $(INCLUDES) $< $(LIB_SRCS) \
		-Wl,-Bstatic -ljson-c -lexpat -Wl,-Bdynamic -lbpf -ldw -lelf -lz -o $@

fuzz-bins: $(foreach t,$(FUZZ_TARGETS),$(call FUZZ_BIN,$(t)))

# What it finds goes to the copies in $(OUTPUT), never into the source tree.
fuzz: fuzz-bins
	$(Q)set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(OUTPUT)/fuzz/corpus-$$t && cp tests/fuzz/corpus/* $(OUTPUT)/fuzz/corpus-$$t/; \
		$(OUTPUT)/fuzz/fuzz_$$t -artifact_prefix=$(OUTPUT)/fuzz/$$t- -max_len=65536 \
			-timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/recfile.dict \
			-max_total_time=$(FUZZ_SECONDS) $(OUTPUT)/fuzz/corpus-$$t; \
	done

# Quiet unless it fails: libFuzzer's progress lines would bury the check's log.
fuzz-smoke: fuzz-bins
	$(call msg,FUZZ,both corpora and bad inputs once then $(FUZZ_SMOKE_SECONDS) s each: $(OUTPUT)/fuzz/smoke.log)
	$(Q){ $(call FUZZ_RUN,recfile) tests/fuzz/corpus/* tests/fuzz/bad/*.rec && \
		$(call FUZZ_RUN,report) tests/fuzz/corpus/* tests/fuzz/bad/*.rec && \
		$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS); } \
		> $(OUTPUT)/fuzz/smoke.log 2>&1 || { tail -n 60 $(OUTPUT)/fuzz/smoke.log; exit 1; }
	$(Q)grep -h '^Done ' $(OUTPUT)/fuzz/smoke.log

# Regenerate the seed corpus and bad inputs (real recordings are kept).
fuzz-corpus: tests/fuzz/gen_corpus.c $(FUZZ_DEPS) | $(OUTPUT)/fuzz
	$(Q)$(CC) -g $(WARNINGS) $(INCLUDES) $< $(FUZZ_LIB) -lz -o $(OUTPUT)/fuzz/gen_corpus
	$(Q)$(OUTPUT)/fuzz/gen_corpus tests/fuzz/corpus tests/fuzz/bad

# Benchmarks (bench/run.sh writes BENCHMARKS.md). The helpers are static:
# they run in the guest's bare initramfs.
BENCH_OUT := $(OUTPUT)/bench
BENCH_BINS := $(addprefix $(BENCH_OUT)/,floor startup progstats model_bench)
BENCH_LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(LIB_SRCS))

.PHONY: bench bench-smoke bench-bins

$(BENCH_OUT):
	$(Q)mkdir -p $@

$(BENCH_OUT)/floor.bpf.o: bench/floor.bpf.c vmlinux/$(ARCH)/vmlinux.h | $(BENCH_OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_OUT)/floor.skel.h: $(BENCH_OUT)/floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(BENCH_OUT)/floor: bench/floor.c $(BENCH_OUT)/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARNINGS) -I$(BENCH_OUT) $< $(STATIC_LIBS) -o $@

$(BENCH_OUT)/progstats: bench/progstats.c | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARNINGS) $< $(STATIC_LIBS) -o $@

$(BENCH_OUT)/startup: bench/startup.c | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARNINGS) $< -static -o $@

$(BENCH_OUT)/model_bench: bench/model_bench.c $(BENCH_LIB_OBJS) | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARNINGS) $(INCLUDES) $< $(BENCH_LIB_OBJS) $(STATIC_LIBS) -o $@

bench-bins: $(BENCH_BINS)

bench:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory all kmod bench-bins
	$(Q)OUT=$(BENCH_OUT) KRELEASE=$(KERNEL) TDVTRACE=$(OUTPUT)/tdvtrace \
		TDVSIM_KO=$(call KO,$(KERNEL)) bench/run.sh

bench-smoke: all kmod bench-bins
	$(Q)OUT=$(BENCH_OUT) KRELEASE=$(KERNEL) TDVTRACE=$(OUTPUT)/tdvtrace \
		TDVSIM_KO=$(call KO,$(KERNEL)) bench/run.sh --smoke

# Per kernel (RELEASE as in $(KERNELS)): kernels/RELEASE/vmlinux, the
# simulator built against its headers with module BTF against that vmlinux
# (kmod-RELEASE), and the guest suite booting it (vmtest-RELEASE).
$(OUTPUT)/kernels/%/vmlinux:
	$(call kfetch,$*)
	$(call msg,EXTRACT,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scripts/extract-vmlinux.sh $(call kvmlinuz,$*) $@

# The -inline- targets do the same with the inlined variant (kmod-inline/,
# vm-inline/).
kmod-%: $(OUTPUT)/kernels/%/vmlinux
	$(call kfetch,$*)
	$(Q)$(MAKE) -C tests/kmod KRELEASE=$* KDIR=$(call kheaders,$*) \
		VMLINUX=$(abspath $<) KMOD_OUT=$(abspath $(call kout,$*)/kmod)

kmod-inline-%: $(OUTPUT)/kernels/%/vmlinux
	$(call kfetch,$*)
	$(Q)$(MAKE) -C tests/kmod KRELEASE=$* KDIR=$(call kheaders,$*) INLINE=1 \
		VMLINUX=$(abspath $<) KMOD_OUT=$(abspath $(call kout,$*)/kmod-inline)

# Other revisions of the series, and the supported one changed
# (tests/kmod/rev): into the guest as /lib/rev/NAME.ko.
kmod-rev-%: $(OUTPUT)/kernels/%/vmlinux
	$(call kfetch,$*)
	$(Q)$(MAKE) -C tests/kmod/rev KRELEASE=$* KDIR=$(call kheaders,$*) \
		VMLINUX=$(abspath $<) KMOD_OUT=$(abspath $(call kout,$*)/kmod-rev)

vmtest-%: all kmod-% kmod-rev-%
	$(Q)OUT=$(call kout,$*)/vm KRELEASE=$* VMTEST_KERNEL=$(call kvmlinuz,$*) \
		KMODDIR=$(call kmodules,$*) TDVTRACE=$(OUTPUT)/tdvtrace \
		TDVSIM_KO=$(call KO,$*) EXTRA_FILES="$(call KO_REV,$*)" scripts/vmtest.sh

vmtest-inline-%: all kmod-inline-% kmod-rev-%
	$(Q)OUT=$(call kout,$*)/vm-inline KRELEASE=$* VMTEST_KERNEL=$(call kvmlinuz,$*) \
		KMODDIR=$(call kmodules,$*) TDVTRACE=$(OUTPUT)/tdvtrace \
		TDVSIM_KO=$(call KO_INLINE,$*) EXTRA_FILES="$(call KO_REV,$*)" scripts/vmtest.sh

# make check runs every scenario on each kernel with the driver-shaped
# simulator, and with the inlined one, for time, those where the statics
# matter (ids, leaks, histograms, probes): `make vmtest-inline` runs them all.
INLINE_SCENARIOS := 10-*,20-*,32-*,34-*,4[0-3]-*,49-*,5[0-1]-*,53-*

kmod: kmod-$(KERNEL)
vmtest: vmtest-$(KERNEL)
vmtest-6.1: vmtest-$(KRELEASE)
vmtest-6.12: vmtest-$(KRELEASE_612)
vmtest-inline: vmtest-inline-$(KERNEL)

# deps first, in its own step: KRELEASE and the tools exist only after it.
# The guest suite runs once per kernel, one after the other.
check:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory render-check
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)$(MAKE) --no-print-directory bench-smoke
	$(Q)+OUT=$(OUTPUT) MAKE="$(MAKE)" scripts/vmtest-kernels.sh $(KERNELS) \
		inline-$(KRELEASE):$(INLINE_SCENARIOS) inline-$(KRELEASE_612):$(INLINE_SCENARIOS)

# The fault churn (49-leaks-fault-churn) once per seed, one guest boot each
# (not in make check): a rule that holds for seed 11 alone breaks here. A
# failing seed's results stay in $(OUTPUT)/kernels/R/soak/SEED/.
SOAK_SEEDS ?= $(shell seq 1 20)

.PHONY: soak
soak: all kmod-$(KERNEL)
	$(Q)set -e; for seed in $(SOAK_SEEDS); do \
		echo "soak: seed $$seed"; \
		OUT=$(call kout,$(KERNEL))/soak/$$seed KRELEASE=$(KERNEL) \
			VMTEST_KERNEL=$(call kvmlinuz,$(KERNEL)) KMODDIR=$(call kmodules,$(KERNEL)) \
			TDVTRACE=$(OUTPUT)/tdvtrace TDVSIM_KO=$(call KO,$(KERNEL)) \
			VMTEST_ONLY=49-leaks-fault-churn VMTEST_APPEND=tdv.seed=$$seed \
			scripts/vmtest.sh; \
	done

demo:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory all kmod
	$(Q)OUT=$(call kout,$(KERNEL))/vm KRELEASE=$(KERNEL) \
		VMTEST_KERNEL=$(call kvmlinuz,$(KERNEL)) KMODDIR=$(call kmodules,$(KERNEL)) \
		TDVTRACE=$(OUTPUT)/tdvtrace TDVSIM_KO=$(call KO,$(KERNEL)) \
		VMTEST_DEMO=1 scripts/vmtest.sh

install: $(OUTPUT)/tdvtrace
	install -D -m 0755 $< $(DESTDIR)$(PREFIX)/sbin/tdvtrace

format:
	clang-format --dry-run --Werror bpf/*.c bpf/*.h user/*.c user/*.h tests/unit/*.c \
		tests/fuzz/*.c tests/fuzz/*.h tests/kmod/tdvsim.c tests/kmod/tdvctl.c tests/kmod/*.h \
		tests/kmod/rev/*.c tests/kmod/rev/*.h \
		bench/*.c

clean:
	$(Q)rm -rf $(OUTPUT)
	$(Q)$(MAKE) -C tests/kmod clean >/dev/null 2>&1 || true

-include $(wildcard $(OUTPUT)/user/*.d)
