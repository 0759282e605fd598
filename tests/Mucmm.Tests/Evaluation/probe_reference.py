# Reference values for ProbeTests and LeakageTests. Run: /usr/bin/python3 probe_reference.py (Debian python3-sklearn 1.2.1, numpy 1.24).
import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
np.set_printoptions(precision=17)
n=90; d=3
i=np.arange(n)[:,None]; j=np.arange(d)[None,:]
y=(7*np.arange(n))%3
X=np.sin(0.37*i+1.1*j)+0.9*(y[:,None]==j)+0.2*np.cos(0.05*i*j)
lam=0.01
m=LogisticRegression(C=1/(n*lam),multi_class="multinomial",solver="newton-cg",tol=1e-14,max_iter=1000000).fit(X,y)
print("coef(d x C)=",repr(m.coef_.T.ravel()))
print("intercept centered=",repr(m.intercept_-m.intercept_.mean()))
t=X@np.array([0.5,-1.0,2.0])+np.sin(0.11*np.arange(n))
r=Ridge(alpha=2.5).fit(X,t)
print("ridge coef=",repr(r.coef_)," intercept=",repr(r.intercept_))
# CCA reference via eigh inverse square roots (independent of the Cholesky route)
A=np.stack([np.sin(0.3*np.arange(n)), np.cos(0.17*np.arange(n)**1.1), (np.arange(n)%5)-2.0],1)
B=np.stack([A[:,0]+0.5*np.cos(0.9*np.arange(n)), A[:,1]*0.3+np.sin(1.7*np.arange(n))],1)
def cca(A,B,eps):
    A=A-A.mean(0);B=B-B.mean(0);k=len(A)-1
    Saa=A.T@A/k;Sbb=B.T@B/k;Sab=A.T@B/k
    Saa=Saa+eps*np.trace(Saa)/Saa.shape[0]*np.eye(Saa.shape[0])
    Sbb=Sbb+eps*np.trace(Sbb)/Sbb.shape[0]*np.eye(Sbb.shape[0])
    def isq(S):
        w,V=np.linalg.eigh(S);return V@np.diag(w**-0.5)@V.T
    return np.linalg.svd(isq(Saa)@Sab@isq(Sbb),compute_uv=False)
print("cca eps0=",repr(cca(A,B,0.0)))
print("cca eps1e-3=",repr(cca(A,B,1e-3)))
