module github.com/ebmcpu/ebmcpu/asm/_gen

go 1.26.0

require github.com/mmcloughlin/avo v0.5.0

require (
	github.com/minio/asm2plan9s v0.0.0-20200509001527-cdd76441f9d8 // indirect
	golang.org/x/mod v0.6.0 // indirect
	golang.org/x/sys v0.1.0 // indirect
	golang.org/x/tools v0.2.0 // indirect
)

tool github.com/minio/asm2plan9s
