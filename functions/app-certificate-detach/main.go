// Command app-certificate-detach is the Lambda function of the portal route "app-certificate-detach".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("app-certificate-detach") }
