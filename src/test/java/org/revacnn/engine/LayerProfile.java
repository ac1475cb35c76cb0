package org.revacnn.engine;

import java.util.*;
/**
 * Per-layer forward and backward time of the paper's model on one thread, measured in this
 * thread's CPU time (so other processes on the machine distort it less than wall time).
 * Usage: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * org.revacnn.engine.LayerProfile [batch]
 */
public final class LayerProfile {
  static final java.lang.management.ThreadMXBean TM = java.lang.management.ManagementFactory.getThreadMXBean();
  static long now() { return TM.getCurrentThreadCpuTime(); }
  public static void main(String[] a) throws Exception {
    int batch = a.length > 0 ? Integer.parseInt(a[0]) : 32;
    Network net = Network.build(NetworkSpec.parse("conv16-conv20-conv20", new Shape(3,32,32), 10), 1);
    net.setShards(1);
    SplittableRandom r = new SplittableRandom(1);
    float[] x = new float[batch*3072]; for (int i=0;i<x.length;i++) x[i]=(float)(r.nextDouble()*2-1);
    int[] labels = r.ints(batch,0,10).toArray();
    List<Layer> layers = net.layers();
    Frame[] frames = new Frame[layers.size()];
    for (int i=0;i<frames.length;i++) frames[i]=layers.get(i).newFrame();
    long[] fw = new long[layers.size()], bw = new long[layers.size()];
    int iters = 0;
    long end = now() + 6_000_000_000L, warm = now()+2_000_000_000L;
    boolean warmed=false;
    while (now() < end) {
      if (!warmed && now()>warm) { Arrays.fill(fw,0); Arrays.fill(bw,0); iters=0; warmed=true; }
      Tensor t = new Tensor(batch, new Shape(3,32,32), x.clone());
      Tensor[] outs = new Tensor[layers.size()];
      for (int l=0;l<layers.size();l++) { long s=now(); t = layers.get(l).forward(frames[l], t, Pass.inference()); fw[l]+=now()-s; }
      Tensor g = new Tensor(t.batch(), t.shape(), new float[t.data().length]);
      for (int i=0;i<g.data().length;i++) g.data()[i]=0.01f;
      for (int l=layers.size()-1;l>=0 && g!=null;l--) { long s=now(); g = layers.get(l).backward(frames[l], g, l>0); bw[l]+=now()-s; }
      iters++;
    }
    long tot=0; for (int l=0;l<layers.size();l++) tot+=fw[l]+bw[l];
    for (int l=0;l<layers.size();l++) System.out.printf("%-8s fw %7.3f ms  bw %7.3f ms%n", layers.get(l).id(), fw[l]/1e6/iters, bw[l]/1e6/iters);
    System.out.printf("total %.3f ms per batch of %d -> %.0f img/s%n", tot/1e6/iters, batch, batch*1e9*iters/tot);
  }
}
