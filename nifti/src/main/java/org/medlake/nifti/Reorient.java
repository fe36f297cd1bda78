package org.medlake.nifti;

/**
 * dcm2niix's rotation of 3D acquisitions (its default, "-x n"): the voxel axes are permuted and flipped so that voxel
 * axis k runs along world axis k (x, y, z of RAS) in the positive direction, the affine being changed to match.
 * World coordinates of every voxel stay the same; only the storage order changes.
 */
final class Reorient {
    /** New voxels, sform and the old axis behind each new axis (negative = flipped, stored as ~axis). */
    record Result(Voxels voxels, double[][] sform, int[] dims, int[] fromAxis) {}

    private Reorient() {}

    /**
     * @param dims {nx, ny, nz[, nt]}
     * @return null when the volume is already in that order (nothing to do)
     */
    static Result toRasOrder(Voxels v, double[][] sform, int[] dims) {
        // greedy: the largest |element| of the 3x3 picks a (world, voxel) pair, then the next among the rest
        int[] worldOf = new int[3];
        boolean[] usedW = new boolean[3], usedA = new boolean[3];
        for (int n = 0; n < 3; n++) {
            double best = -1;
            int bw = 0, ba = 0;
            for (int w = 0; w < 3; w++) {
                for (int a = 0; a < 3; a++) {
                    if (!usedW[w] && !usedA[a] && Math.abs(sform[w][a]) > best) {
                        best = Math.abs(sform[w][a]);
                        bw = w;
                        ba = a;
                    }
                }
            }
            usedW[bw] = true;
            usedA[ba] = true;
            worldOf[ba] = bw;
        }
        int[] axisFor = new int[3]; // new axis w <- old axis a
        boolean[] flip = new boolean[3]; // indexed by old axis
        boolean identity = true;
        for (int a = 0; a < 3; a++) {
            axisFor[worldOf[a]] = a;
            flip[a] = sform[worldOf[a]][a] < 0;
            identity &= worldOf[a] == a && !flip[a];
        }
        if (identity) {
            return null;
        }
        int[] nd = dims.clone();
        for (int w = 0; w < 3; w++) {
            nd[w] = dims[axisFor[w]];
        }
        // new sform: columns permuted and negated where flipped; origin = old voxel that becomes (0,0,0)
        double[][] s = new double[3][4];
        double[] corner = new double[3];
        for (int a = 0; a < 3; a++) {
            corner[a] = flip[a] ? dims[a] - 1 : 0;
        }
        for (int r = 0; r < 3; r++) {
            for (int w = 0; w < 3; w++) {
                int a = axisFor[w];
                s[r][w] = (flip[a] ? -sform[r][a] : sform[r][a]) + 0.0; // no negative zeros
            }
            s[r][3] = sform[r][3] + sform[r][0] * corner[0] + sform[r][1] * corner[1] + sform[r][2] * corner[2];
        }
        int[] stride = {1, dims[0], dims[0] * dims[1]};
        int[][] off = new int[3][];
        for (int w = 0; w < 3; w++) {
            int a = axisFor[w];
            off[w] = new int[nd[w]];
            for (int u = 0; u < nd[w]; u++) {
                off[w][u] = (flip[a] ? dims[a] - 1 - u : u) * stride[a];
            }
        }
        int vol = dims[0] * dims[1] * dims[2];
        int nt = dims.length > 3 ? dims[3] : 1;
        int[] map = new int[vol];
        int i = 0;
        for (int u2 = 0; u2 < nd[2]; u2++) {
            for (int u1 = 0; u1 < nd[1]; u1++) {
                int base = off[1][u1] + off[2][u2];
                for (int u0 = 0; u0 < nd[0]; u0++) {
                    map[i++] = base + off[0][u0];
                }
            }
        }
        Voxels out = permute(v, map, vol, nt);
        int[] fromAxis = new int[3];
        for (int w = 0; w < 3; w++) {
            fromAxis[w] = flip[axisFor[w]] ? ~axisFor[w] : axisFor[w];
        }
        return new Result(out, s, nd, fromAxis);
    }

    private static Voxels permute(Voxels v, int[] map, int vol, int nt) {
        if (v.shorts != null) {
            short[] src = v.shorts, dst = new short[src.length];
            for (int t = 0; t < nt; t++) {
                int o = t * vol;
                for (int i = 0; i < vol; i++) {
                    dst[o + i] = src[o + map[i]];
                }
            }
            return Voxels.of(v.datatype, dst);
        }
        if (v.bytes != null) {
            byte[] src = v.bytes, dst = new byte[src.length];
            for (int t = 0; t < nt; t++) {
                int o = t * vol;
                for (int i = 0; i < vol; i++) {
                    dst[o + i] = src[o + map[i]];
                }
            }
            return Voxels.of(v.datatype, dst);
        }
        if (v.ints != null) {
            int[] src = v.ints, dst = new int[src.length];
            for (int t = 0; t < nt; t++) {
                int o = t * vol;
                for (int i = 0; i < vol; i++) {
                    dst[o + i] = src[o + map[i]];
                }
            }
            return Voxels.of(v.datatype, dst);
        }
        float[] src = v.floats, dst = new float[src.length];
        for (int t = 0; t < nt; t++) {
            int o = t * vol;
            for (int i = 0; i < vol; i++) {
                dst[o + i] = src[o + map[i]];
            }
        }
        return Voxels.of(dst);
    }
}
